import { isObject, type JsonObject } from './stepfunctions/util.ts';

export class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export type Operation = (body: JsonObject) => unknown;

export type ApiHandler = (operation: string, body: unknown) => Promise<{ status: number; body: unknown }>;

/**
 * An AWS JSON-protocol service's operations, by their name after the service's prefix in the X-Amz-Target
 * header (`AWSStepFunctions.StartExecution`, `AmazonSQS.SendMessage`). Answers with the operation's
 * result, an `ApiError` as the client error AWS would return, else a 500.
 */
export function createApiHandler<O extends { [K in keyof O]: Operation }>(operations: O): ApiHandler {
  return async (operation, body) => {
    try {
      return { status: 200, body: await dispatch(operations, operation, requestObject(body)) };
    } catch (error) {
      if (error instanceof ApiError) {
        return { status: error.status, body: { __type: error.type, message: error.message } };
      }
      const message = error instanceof Error ? error.message : String(error);
      return { status: 500, body: { __type: 'InternalFailure', message } };
    }
  };
}

function dispatch<O extends { [K in keyof O]: Operation }>(
  operations: O,
  operation: string,
  body: JsonObject,
): unknown {
  // Own properties only: an operation named like an Object.prototype member is unknown, not callable.
  if (!Object.hasOwn(operations, operation)) {
    throw new ApiError('UnknownOperationException', `Unknown operation: ${operation}`);
  }
  return operations[operation as keyof O](body);
}

function requestObject(body: unknown): JsonObject {
  if (body === undefined || body === null || body === '') {
    return {};
  }
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      throw new ApiError('SerializationException', 'The request body is not valid JSON.');
    }
  }
  if (!isObject(value)) {
    throw new ApiError('SerializationException', 'The request body must be a JSON object.');
  }
  return value;
}

export function optionalString(body: JsonObject, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw validationError(key);
  }
  return value;
}

export function validationError(key: string) {
  return new ApiError(
    'ValidationException',
    `1 validation error detected: Value at '${key}' failed to satisfy constraint`,
  );
}
