import * as z from 'zod/mini';
import type { CallEntryList } from '../../core/model.ts';
import { PageQuery } from '../schemas.ts';
import { app } from './container.ts';
import { json, page, pathParam, staffHandler } from './http.ts';
import { validate } from './validation.ts';

const Query = z.object(PageQuery);

/**
 * The function of `GET /v1/calls/{callId}/<list>`: a page of the call's conversation or timeline, oldest
 * first, as `{<list>: [...], nextCursor?}`, for supervisors. The call's own view carries the first page and
 * its cursor.
 */
export function callEntriesHandler(list: CallEntryList) {
  return staffHandler(async (event, caller) => {
    const callId = pathParam(event, 'callId');
    const query = validate(Query, event.queryStringParameters ?? {});
    return json(200, page(list, await app().admin.listCallEntries(caller, callId, list, query)));
  });
}
