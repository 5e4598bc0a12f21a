import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { newAgent } from '../../functions/core/agent.ts';
import { ForbiddenError } from '../../functions/core/errors.ts';
import {
  type Caller,
  holds,
  isAgentItself,
  requireRight,
  workingCallId,
} from '../../functions/core/permissions.ts';
import { callerOf } from '../../functions/handlers/shared/http.ts';

const caller = (...groups: Caller['groups']): Caller => ({ userId: 'u1', groups });

describe('who may do what', () => {
  it.each([
    ['admins', ['manageAgents', 'manageDeliveries', 'readAgents']],
    ['supervisors', ['readAgents', 'readCalls', 'readInteractions', 'readStats', 'readWorkItems']],
    ['agents', []],
  ] as const)('gives %s exactly %j', (group, rights) => {
    const all = [
      'manageAgents',
      'manageDeliveries',
      'readAgents',
      'readCalls',
      'readInteractions',
      'readStats',
      'readWorkItems',
    ] as const;
    expect(all.filter((right) => holds(caller(group), right))).toEqual(rights);
  });

  it('adds up the rights of several groups, and gives none to someone in no group', () => {
    expect(holds(caller('admins', 'supervisors'), 'manageAgents')).toBe(true);
    expect(holds(caller('admins', 'supervisors'), 'readCalls')).toBe(true);
    expect(holds(caller(), 'readAgents')).toBe(false);
  });

  it('refuses with FORBIDDEN, naming the groups that would do', () => {
    expect(() => requireRight(caller('agents'), 'readAgents', 'listing agents')).toThrow(
      new ForbiddenError('listing agents needs the admins or supervisors group'),
    );
    expect(() => requireRight(caller('supervisors'), 'readAgents', 'listing agents')).not.toThrow();
  });

  it('knows an agent acting on itself only in the agents group', () => {
    expect(isAgentItself(caller('agents'), 'u1')).toBe(true);
    expect(isAgentItself(caller('agents'), 'u2')).toBe(false);
    expect(isAgentItself(caller('supervisors'), 'u1')).toBe(false);
  });

  it("takes an agent's working call from its offer, else from its live or wrap-up call", () => {
    const agent = newAgent('a1', { name: 'A', queues: ['q'], autoAccept: false }, new Date());
    expect(workingCallId(agent)).toBeUndefined();
    expect(workingCallId({ ...agent, offer: { offerId: 'c1.1', callId: 'c1' } })).toBe('c1');
    expect(workingCallId({ ...agent, callId: 'c2' })).toBe('c2');
  });
});

describe('the caller of a staff route', () => {
  const event = (claims?: Record<string, string>) =>
    ({
      requestContext: { requestId: 'r1', ...(claims ? { authorizer: { jwt: { claims } } } : {}) },
    }) as unknown as APIGatewayProxyEventV2;

  it("reads `sub` and API Gateway's text form of `cognito:groups`, ignoring groups it does not know", () => {
    expect(callerOf(event({ sub: 'alice', 'cognito:groups': '[agents supervisors]' }))).toEqual({
      userId: 'alice',
      groups: ['agents', 'supervisors'],
    });
    expect(callerOf(event({ sub: 'bob', 'cognito:groups': '[admins]' })).groups).toEqual(['admins']);
    expect(callerOf(event({ sub: 'eve', 'cognito:groups': '[root agentsX]' })).groups).toEqual([]);
    expect(callerOf(event({ sub: 'carol' })).groups).toEqual([]);
  });

  it('refuses a request that reached the function without verified claims (401)', () => {
    expect(() => callerOf(event())).toThrow(expect.objectContaining({ status: 401, code: 'UNAUTHORIZED' }));
    expect(() => callerOf(event({ 'cognito:groups': '[admins]' }))).toThrow(
      expect.objectContaining({ status: 401 }),
    );
  });
});
