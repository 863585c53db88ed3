import fc from "fast-check";
import type { Update } from "grammy/types";
import { REQUIRED_INTENTS } from "../../knowledge/index.ts";
import { LONE_SURROGATE } from "./telegram-checks.ts";
import { anyText } from "./text-arbitraries.ts";

// Random Telegram updates of every kind, shaped as the Bot API sends them
// (with random contents), plus forged ones that break its promises.

/** An update without its id; the harness numbers them. */
export type RawUpdate = Omit<Update, "update_id">;

/** Text near Telegram's limit, full of what HTML must escape and what must not be cut. */
const longText = fc.string({
  unit: fc.constantFrom("&", "<", ">", '"', "я", "a", " ", "😀", "\n"),
  minLength: 3800,
  maxLength: 4096,
  size: "max",
});

const LONE_SURROGATE_AT_END = /[\ud800-\udbff]$/;
/** The first `length` UTF-16 units of a text, less half an emoji at the end. */
export const cut = (text: string, length: number) =>
  text.slice(0, length).replace(LONE_SURROGATE_AT_END, "");

/** Text as Telegram delivers it: any Unicode, but never half an emoji; often near the limit. */
export const messageText = fc
  .oneof({ weight: 4, arbitrary: anyText }, { weight: 1, arbitrary: longText })
  .map((text) => cut(text.replace(new RegExp(LONE_SURROGATE, "g"), "\ufffd"), 4096));
const shortText = fc.string({ unit: "grapheme", maxLength: 64 });

const hugeId = fc.integer({ min: 2 ** 31, max: Number.MAX_SAFE_INTEGER });
/** Users who are never operators: a few regulars, random and huge ids. */
export const citizenId = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(777, 778, 779) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 ** 31 - 1 }) },
  { weight: 1, arbitrary: hugeId },
);

export const user = (id: fc.Arbitrary<number>) =>
  fc.record(
    {
      id,
      is_bot: fc.boolean(),
      first_name: shortText,
      last_name: shortText,
      username: fc.stringMatching(/^[A-Za-z]\w{4,31}$/),
      language_code: fc.oneof(fc.constantFrom("ru", "en", "uk", "kk", "de", ""), shortText),
      is_premium: fc.constant(true as const),
    },
    { requiredKeys: ["id", "is_bot", "first_name"] },
  );

const groupId = fc.integer({ min: -999_999_999_999, max: -1 });
const channelId = fc.integer({ min: -1_009_999_999_999, max: -1_000_000_000_000 });
const otherChat = fc.oneof(
  fc.record({ id: groupId, type: fc.constant("group" as const), title: shortText }),
  fc.record(
    {
      id: channelId,
      type: fc.constant("supergroup" as const),
      title: shortText,
      is_forum: fc.constant(true as const),
    },
    { requiredKeys: ["id", "type", "title"] },
  ),
  fc.record({ id: channelId, type: fc.constant("channel" as const), title: shortText }),
);
const privateChatOf = (from: { id: number; first_name: string }) => ({
  id: from.id,
  type: "private" as const,
  first_name: from.first_name,
});

const fileId = fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 80 });
const fileSize = fc.option(
  fc.oneof(
    fc.integer({ min: 0, max: 10 * 1024 * 1024 }),
    fc.constant(5 * 1024 * 1024),
    fc.constant(5 * 1024 * 1024 + 1),
    fc.constant(2 ** 31),
  ),
  { nil: undefined },
);
const mimeType = fc.option(
  fc.oneof(
    fc.constantFrom(
      "image/jpeg",
      "image/png",
      "application/pdf",
      "image/gif",
      "text/plain",
      "application/x-msdownload",
      "IMAGE/JPEG",
      "",
    ),
    shortText,
  ),
  { nil: undefined },
);
const withSize = <T extends object>(value: T, size: number | undefined) =>
  size === undefined ? value : { ...value, file_size: size };

const entity = fc.record({
  type: fc.constantFrom(
    "bold",
    "italic",
    "url",
    "mention",
    "bot_command",
    "text_link",
    "code",
    "pre",
    "custom_emoji",
  ),
  offset: fc.integer({ min: -5, max: 5000 }),
  length: fc.integer({ min: 0, max: 5000 }),
});
const COMMANDS = [
  "start",
  "menu",
  "help",
  "lang",
  "cancel",
  "take",
  "close",
  "note",
  "kb",
  "transfer",
  "tickets",
  "shift",
  "queue",
  "stats",
  "topic",
  "constructor",
  "__proto__",
  "toString",
];
const command = fc
  .tuple(
    fc.constantFrom(...COMMANDS),
    fc.option(fc.constantFrom("@GosUslugiHelpBot", "@OtherBot")),
    fc.option(messageText),
  )
  .map(([name, mention, args]) => cut(`/${name}${mention ?? ""}${args ? ` ${args}` : ""}`, 4096));

const caption = fc.option(
  messageText.map((t) => cut(t, 1024)),
  { nil: undefined },
);
const optional = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

/** What a message carries: text, a command, a file, or any of Telegram's other kinds. */
export const messageContent: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(messageText, fc.option(fc.array(entity, { maxLength: 3 })))
      .map(([text, entities]) => ({ text, ...optional("entities", entities ?? undefined) })),
  },
  {
    weight: 3,
    arbitrary: command.map((text) => ({
      text,
      entities: [{ type: "bot_command", offset: 0, length: text.split(" ")[0]?.length ?? 0 }],
    })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.array(fc.tuple(fileId, fileSize), { minLength: 1, maxLength: 4 }), caption)
      .map(([sizes, text]) => ({
        photo: sizes.map(([id, size], i) =>
          withSize(
            { file_id: id, file_unique_id: `u${i}`, width: 90 * (i + 1), height: 90 * (i + 1) },
            size,
          ),
        ),
        ...optional("caption", text),
      })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fileId, mimeType, fileSize, fc.option(shortText, { nil: undefined }), caption)
      .map(([id, mime, size, name, text]) => ({
        document: withSize(
          {
            file_id: id,
            file_unique_id: "d",
            ...optional("mime_type", mime),
            ...optional("file_name", name),
          },
          size,
        ),
        ...optional("caption", text),
      })),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom<Record<string, unknown>>(
      {
        sticker: {
          file_id: "s",
          file_unique_id: "s",
          type: "regular",
          width: 512,
          height: 512,
          is_animated: false,
          is_video: false,
        },
      },
      { voice: { file_id: "v", file_unique_id: "v", duration: 3 } },
      { video_note: { file_id: "n", file_unique_id: "n", length: 240, duration: 5 } },
      { video: { file_id: "vi", file_unique_id: "vi", width: 1, height: 1, duration: 1 } },
      { audio: { file_id: "a", file_unique_id: "a", duration: 1 } },
      {
        animation: { file_id: "g", file_unique_id: "g", width: 1, height: 1, duration: 1 },
        document: { file_id: "g", file_unique_id: "g", mime_type: "video/mp4" },
      },
      { location: { latitude: 55.75, longitude: 37.62 } },
      { venue: { location: { latitude: 0, longitude: 0 }, title: "МФЦ", address: "Москва" } },
      { contact: { phone_number: "+79161234567", first_name: "Иван", user_id: 5 } },
      {
        poll: {
          id: "p",
          question: "?",
          options: [{ text: "a", voter_count: 0 }],
          total_voter_count: 0,
          is_closed: false,
          is_anonymous: true,
          type: "regular",
          allows_multiple_answers: false,
        },
      },
      { dice: { emoji: "🎲", value: 6 } },
      { new_chat_members: [{ id: 42, is_bot: true, first_name: "bot" }] },
      { left_chat_member: { id: 42, is_bot: true, first_name: "bot" } },
      { new_chat_title: "x" },
      { group_chat_created: true },
      { migrate_to_chat_id: -1_001_234_567_890 },
      { web_app_data: { data: "{}", button_text: "x" } },
    ),
  },
);

/** Callback data a client may send: the bot's own formats with random ids, and anything else. */
export const callbackData = (
  ticketIds: fc.Arbitrary<string> = fc.oneof(
    fc.integer({ min: 1, max: 5 }).map(String),
    fc.constantFrom("0", "-1", "01", "1e3", "999999999999999", "9007199254740993", "", "x"),
  ),
) =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        "hy",
        "hx",
        "hn",
        "m",
        "o",
        "l:ru",
        "l:en",
        "l:de",
        "t:account",
        "t:smalltalk",
        "t:",
      ),
    },
    {
      weight: 6,
      arbitrary: fc
        .tuple(
          fc.constantFrom("hy", "hx", "ht", "hw", "hk", "hs", "hr", "hg", "a", "f", "t", "l"),
          ticketIds,
          fc.constantFrom(
            ...REQUIRED_INTENTS,
            "no.such_intent",
            "UPPER.case",
            "0",
            "1",
            "-",
            "new",
            "skip",
            "x",
          ),
          fc.constantFrom("", "1", "5", "0", "6", ":x", "-"),
        )
        .map(([prefix, id, middle, last]) => {
          switch (prefix) {
            case "hk":
            case "hg":
              return `${prefix}:${id}:${middle}`;
            case "hs":
              return `${prefix}:${id}:${last}`;
            case "hr":
              return `${prefix}:${id}:${middle}:${last}`;
            case "a":
              return `a:${middle}`;
            case "f":
              return `f:${last}:${middle}`;
            default:
              return `${prefix}:${id}`;
          }
        }),
    },
    { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 100 }) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 60, maxLength: 80 }) },
  );

const date = fc.integer({ min: 0, max: 2_000_000_000 });
const messageId = fc.integer({ min: 1, max: 2 ** 31 - 1 });

/** A message as Telegram sends it: in the sender's private chat or another chat. */
export const message = (from: fc.Arbitrary<{ id: number; first_name: string }>) =>
  fc
    .tuple(
      from,
      fc.boolean(),
      otherChat,
      messageId,
      date,
      messageContent,
      fc.option(messageId, { nil: undefined }),
    )
    .map(([sender, inPrivate, other, id, at, content, replyTo]) => ({
      message_id: id,
      date: at,
      chat: inPrivate ? privateChatOf(sender) : other,
      from: sender,
      ...content,
      ...(replyTo === undefined
        ? {}
        : {
            reply_to_message: {
              message_id: replyTo,
              date: at,
              chat: inPrivate ? privateChatOf(sender) : other,
              text: "…",
            },
          }),
    }));

const chatMemberUpdate = fc
  .tuple(user(citizenId), fc.constantFrom("member", "kicked", "left", "administrator"))
  .map(([from, status]) => ({
    chat: privateChatOf(from),
    from,
    date: 0,
    old_chat_member: { status: "member", user: { id: 42, is_bot: true, first_name: "bot" } },
    new_chat_member:
      status === "administrator"
        ? {
            status,
            user: { id: 42, is_bot: true, first_name: "bot" },
            can_be_edited: false,
            is_anonymous: false,
            can_manage_chat: true,
            can_delete_messages: true,
            can_manage_video_chats: true,
            can_restrict_members: true,
            can_promote_members: false,
            can_change_info: true,
            can_invite_users: true,
            can_post_stories: false,
            can_edit_stories: false,
            can_delete_stories: false,
          }
        : status === "kicked"
          ? { status, user: { id: 42, is_bot: true, first_name: "bot" }, until_date: 0 }
          : { status, user: { id: 42, is_bot: true, first_name: "bot" } },
  }));

/** A button press on a message in the presser's private chat, another chat, an inline message, or a message too old to see. */
export const callbackQuery = (
  from: fc.Arbitrary<{ id: number; first_name: string }>,
  data = callbackData(),
) =>
  fc
    .tuple(
      from,
      fc.constantFrom("private", "other", "inline", "inaccessible"),
      otherChat,
      fc.option(data, { nil: undefined }),
      fc.option(
        fc.constantFrom(
          {
            inline_keyboard: [
              [
                { text: "👍", callback_data: "f:1:contacts.hotline" },
                { text: "👎", callback_data: "f:0:contacts.hotline" },
              ],
              [{ text: "x", url: "https://www.gosuslugi.ru" }],
            ],
          },
          { inline_keyboard: [] },
        ),
        { nil: undefined },
      ),
    )
    .map(([sender, where, other, payload, markup]) => {
      const chat = where === "private" ? privateChatOf(sender) : other;
      const base = {
        id: `cb${sender.id}`,
        from: sender,
        chat_instance: "1",
        ...optional("data", payload),
      };
      if (where === "inline") return { ...base, inline_message_id: "inline-1" };
      if (where === "inaccessible") return { ...base, message: { chat, message_id: 5, date: 0 } };
      return {
        ...base,
        message: { message_id: 5, date: 0, chat, text: "…", ...optional("reply_markup", markup) },
      };
    });

/** An update of any kind from citizens (never operators). */
export const citizenUpdate: fc.Arbitrary<RawUpdate> = fc.oneof(
  { weight: 8, arbitrary: message(user(citizenId)).map((m) => ({ message: m })) },
  {
    weight: 2,
    arbitrary: message(user(citizenId)).map((m) => ({
      edited_message: { ...m, edit_date: m.date + 1 },
    })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(channelId, shortText, messageContent).map(([id, title, content]) => ({
      channel_post: {
        message_id: 1,
        date: 0,
        chat: { id, type: "channel", title },
        sender_chat: { id, type: "channel", title },
        ...content,
      },
    })),
  },
  { weight: 1, arbitrary: chatMemberUpdate.map((m) => ({ my_chat_member: m })) },
  { weight: 6, arbitrary: callbackQuery(user(citizenId)).map((q) => ({ callback_query: q })) },
  {
    weight: 1,
    arbitrary: fc.tuple(user(citizenId), messageText).map(([from, query]) => ({
      inline_query: { id: "iq", from, query: cut(query, 256), offset: "" },
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(user(citizenId), messageText)
      .map(([from, query]) => ({ chosen_inline_result: { result_id: "r", from, query } })),
  },
  {
    weight: 1,
    arbitrary: fc.constant({
      poll: {
        id: "p",
        question: "?",
        options: [],
        total_voter_count: 0,
        is_closed: true,
        is_anonymous: true,
        type: "regular",
        allows_multiple_answers: false,
      },
    }),
  },
) as fc.Arbitrary<RawUpdate>;

/**
 * Updates Telegram never sends: a private message without `from`, a chat
 * whose id is not the sender's, a callback without `from`, an empty update.
 */
export const forgedUpdate: fc.Arbitrary<RawUpdate> = fc.oneof(
  message(user(citizenId)).map(({ from: _from, ...m }) => ({ message: m })),
  fc
    .tuple(message(user(citizenId)), citizenId)
    .map(([m, id]) => ({ message: { ...m, chat: { id, type: "private", first_name: "x" } } })),
  callbackQuery(user(citizenId)).map(({ from: _from, ...q }) => ({ callback_query: q })),
  fc.constant({}),
) as unknown as fc.Arbitrary<RawUpdate>;
