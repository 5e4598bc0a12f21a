import type { WebSocket } from 'ws';

/** API Gateway's WebSocket quotas: a frame carries at most 32 KB, a message (all its frames) 128 KB. */
export const MAX_FRAME_BYTES = 32 * 1024;
export const MAX_MESSAGE_BYTES = 128 * 1024;

/** The part of ws's frame parser this hook relies on (ws 8, `lib/receiver.js`). */
interface FrameReceiver {
  _opcode: number;
  _payloadLength: number;
  createError(
    kind: typeof RangeError,
    message: string,
    prefix: boolean,
    code: number,
    errorCode: string,
  ): Error;
  haveLength(cb: (error?: Error) => void): void;
}

/**
 * Closes a socket that sends a data frame over 32 KB with 1009 (message too big), as API Gateway does.
 * The `ws` library only limits whole messages (`maxPayload`, set to 128 KB), so this checks each frame's
 * length as the parser reads it, before any of its payload is buffered.
 */
export function limitFrames(socket: WebSocket): void {
  const receiver = (socket as unknown as { _receiver?: FrameReceiver })._receiver;
  if (!receiver) throw new Error('ws changed: no frame parser to limit (see local/ws-limits.ts)');
  const haveLength = receiver.haveLength;
  receiver.haveLength = function limitedLength(this: FrameReceiver, cb) {
    const isData = this._opcode < 0x08;
    if (isData && this._payloadLength > MAX_FRAME_BYTES) {
      cb(
        this.createError(RangeError, 'Frame size exceeded', false, 1009, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'),
      );
      return;
    }
    haveLength.call(this, cb);
  };
}
