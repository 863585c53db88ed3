import { Api, GrammyError, HttpError } from "grammy";
import {
  createDeliveryWorker,
  type DeliveryLog,
  type DeliveryWorker,
  type Outbox,
  type OutboxItem,
  type SendResult,
  type StorageMonitor,
} from "../handoff/index.ts";

export interface TelegramDeliveryOptions {
  token: string;
  apiRoot: string;
  outbox: Outbox;
  /** Told of a row given up (see the delivery worker). Defaults to nothing. */
  onFailed?: (item: OutboxItem, error: string, blocked: boolean) => void | Promise<void>;
  log?: DeliveryLog;
  /** Told of database faults, logged there once a run. Defaults to logging each. */
  storage?: Pick<StorageMonitor, "observe">;
  /** Adds transformers (metrics) to the delivery's own API client. */
  configureApi?: (api: Api) => void;
}

/**
 * The delivery worker that empties the outbox into Telegram: its own API
 * client (no auto-retry: the worker retries durably; 30 s request timeout),
 * 8 sends at a time to different chats. Not started.
 *
 * @example const worker = createTelegramDelivery({ token, apiRoot, outbox }); worker.start();
 */
export function createTelegramDelivery(options: TelegramDeliveryOptions): DeliveryWorker {
  const { token, apiRoot, outbox, onFailed, log, storage, configureApi } = options;
  const api = new Api(token, { apiRoot, timeoutSeconds: 30 });
  configureApi?.(api);
  return createDeliveryWorker(
    {
      outbox,
      send: createTelegramSender(api, outbox),
      ...(onFailed ? { onFailed } : {}),
      ...(log ? { log } : {}),
      ...(storage ? { storage } : {}),
    },
    { concurrency: 8 },
  );
}

/**
 * Sends one outbox row through the Bot API and says how it went, for the
 * delivery worker: 429 → after Telegram's retry_after; 403 (blocked) and 400
 * (bad request) → never again; 5xx and network errors → again after a backoff.
 * Give it an Api without auto-retry: the worker does the retrying, durably.
 */
export function createTelegramSender(api: Api, outbox: Outbox) {
  return async (item: OutboxItem): Promise<SendResult> => {
    const { chatId, message } = item;
    try {
      switch (message.kind) {
        case "text": {
          const sent = await api.sendMessage(chatId, message.text, message.options);
          return { ok: true, messageId: sent.message_id };
        }
        case "photo": {
          const options = { ...message.options, ...captionOf(message.caption) };
          const sent = await api.sendPhoto(chatId, message.fileId, options);
          return { ok: true, messageId: sent.message_id };
        }
        case "document": {
          const options = { ...message.options, ...captionOf(message.caption) };
          const sent = await api.sendDocument(chatId, message.fileId, options);
          return { ok: true, messageId: sent.message_id };
        }
        case "copy": {
          const sent = await api.copyMessage(
            chatId,
            message.fromChatId,
            message.messageId,
            message.options,
          );
          return { ok: true, messageId: sent.message_id };
        }
        case "edit": {
          // The row it edits went before it (per-chat order); if that one was
          // never delivered there is nothing to edit.
          const target = (await outbox.get(message.outboxId))?.messageId;
          if (target == null) return { ok: true };
          await api.editMessageText(chatId, target, message.text, message.options);
          return { ok: true, messageId: target };
        }
      }
    } catch (error) {
      return failureOf(error);
    }
  };
}

const captionOf = (caption: string | undefined) => (caption ? { caption } : {});

function failureOf(error: unknown): SendResult {
  if (error instanceof GrammyError) {
    const text = `${error.error_code}: ${error.description}`;
    if (error.error_code === 429) {
      return { ok: false, error: text, retryAfterMs: (error.parameters.retry_after ?? 1) * 1000 };
    }
    // An edit that changes nothing has done its job.
    if (error.error_code === 400 && /message is not modified/i.test(error.description)) {
      return { ok: true };
    }
    if (error.error_code === 403) return { ok: false, error: text, permanent: true, blocked: true };
    if (error.error_code === 400) return { ok: false, error: text, permanent: true };
    return { ok: false, error: text };
  }
  if (error instanceof HttpError) return { ok: false, error: `network: ${error.message}` };
  return { ok: false, error: error instanceof Error ? error.message : String(error) };
}
