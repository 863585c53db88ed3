import type {
  Availability,
  CitizenNotice,
  DeskAction,
  Incident,
  Language,
  StaffNotice,
  TicketFile,
  Toast,
  TriedIntent,
} from "../../handoff/index.ts";
import { type KnowledgeBase, withoutBidiControls } from "../../knowledge/index.ts";
import { PLAIN_FORMAT } from "./formats.ts";
import { cutBefore } from "./message-limits.ts";
import { formatReportText } from "./report-text.ts";
import { type CitizenTexts, citizenTexts, type Format, operatorTexts } from "./texts.ts";

/** A choice on a message: a desk action to press, or a link to open. */
export type ChatButton = { text: string; action: DeskAction } | { text: string; url: string };

/**
 * One message in a chat, before any transport: text in the renderer's
 * format with its choices, a file with a caption, or a person's words relayed
 * to another (`relay`: how they are labelled as a caption and wrapped as a
 * message, so a transport with limits can choose).
 */
export type ChatMessage =
  | { kind: "text"; text: string; buttons?: ChatButton[][] }
  | { kind: "file"; file: TicketFile; caption: string }
  | {
      kind: "relay";
      file?: TicketFile;
      /** What marks the words as relayed, in a caption ("👤 Оператор"). */
      label: string;
      /** The person's words, raw. */
      text: string;
      /** A text message of the words (already formatted), labelled. */
      wrap: (formatted: string) => string;
    };

/** The most of a question a card shows (the transcript shows it whole). */
const QUESTION_PREVIEW = 1000;
/** The most of a question a button label shows. */
const LABEL_QUESTION = 40;

/**
 * Renders the desk's notices in one medium: the texts in `format`, the
 * choices as buttons. Citizens read their language; staff read Russian.
 *
 * @example createRenderer(HTML_FORMAT).citizen({ kind: "declined" }, "en")
 */
export function createRenderer(
  format: Format,
  options: {
    /** The knowledge base now, for intent titles in the supervisors' figures; without it, the ids. */
    knowledge?: () => { kb: KnowledgeBase };
    /** The active incidents, said on each new ticket's card. Defaults to none. */
    incidents?: () => readonly Incident[];
  } = {},
) {
  const f = format;
  const { knowledge, incidents = () => [] } = options;
  const intentTitle = knowledge && ((id: string) => knowledge().kb.byId.get(id)?.title.ru);
  const CITIZEN = citizenTexts(f);
  const OP = operatorTexts(f);
  const text = (value: string, buttons?: ChatButton[][]): ChatMessage[] => [
    { kind: "text", text: value, ...(buttons && buttons.length > 0 ? { buttons } : {}) },
  ];
  // A label can be a person's words (a question on /tickets) or a title:
  // never with bidi controls, in any medium.
  const press = (label: string, action: DeskAction): ChatButton => ({
    text: withoutBidiControls(label),
    action,
  });
  const sentence = (t: CitizenTexts, availability: Availability) =>
    availability.kind === "on_shift"
      ? t.onShiftNow
      : availability.kind === "scheduled"
        ? availability.described
        : "";
  const tried = (guesses: readonly TriedIntent[]) =>
    guesses.map((g) => `${f.text(g.title)} (${Math.round(g.score * 100)}%)`).join("; ");
  const title = (value: string | null) => value ?? OP.topicNewTitle;

  const citizen = (notice: CitizenNotice, language: Language): ChatMessage[] => {
    const t = CITIZEN[language];
    switch (notice.kind) {
      case "offer": {
        const offer = t.offer(sentence(t, notice.availability)).trim();
        const after = notice.after === undefined ? {} : { after: notice.after };
        return text(notice.intro ? `${notice.intro}\n\n${offer}` : offer, [
          [
            press(t.confirm, { kind: "confirm", ...after }),
            press(t.decline, { kind: "decline", ...after }),
          ],
        ]);
      }
      case "declined":
        return text(t.declined);
      case "ticket_opened": {
        const lines = [t.opened(notice.ticketId, notice.position, notice.waitMinutes)];
        if (notice.away) lines.push(t.offHours(sentence(t, notice.away)));
        lines.push(t.whileWaiting);
        return text(lines.join("\n\n"));
      }
      case "already_open":
        return text(t.alreadyOpen(notice.ticketId));
      case "added":
        return text(t.added(notice.ticketId, notice.position));
      case "operator_joined":
        return text(t.operatorJoined(notice.ticketId, notice.operatorName));
      case "from_operator":
        return [
          {
            kind: "relay",
            ...(notice.file ? { file: notice.file } : {}),
            label: t.operatorLabel,
            text: notice.text ?? "",
            wrap: t.fromOperator,
          },
        ];
      case "kb_answer":
        return text(
          t.fromOperator(f.html(notice.answer.html)),
          notice.answer.links.map((link) => [
            { text: withoutBidiControls(link.title), url: link.url },
          ]),
        );
      case "transferred":
        return text(t.transferred(notice.ticketId));
      case "back_in_queue":
        return text(t.backInQueue(notice.ticketId, notice.position));
      case "closed":
        return text(`${t.closed(notice.ticketId)}\n\n${t.askSolved}`, [
          [
            press(t.solvedYes, { kind: "solved", ticketId: notice.ticketId, solved: true }),
            press(t.solvedNo, { kind: "solved", ticketId: notice.ticketId, solved: false }),
          ],
        ]);
      case "ask_rating":
        return text(t.askRating, [
          [1, 2, 3, 4, 5].map((rating) =>
            press(String(rating), {
              kind: "rate",
              ticketId: notice.ticketId,
              solved: notice.solved,
              rating,
            }),
          ),
        ]);
      case "rated":
        return text(t.thanks);
      case "cancelled":
        return text(t.cancelled(notice.ticketId));
      case "nothing_to_cancel":
        return text(t.nothingToCancel);
      case "operators_only":
        return text(t.operatorsOnly);
      case "no_longer_operator":
        return text(t.noLongerOperator);
      case "offer_stale":
        return text(t.offerStale);
      case "already_rated":
        return text(t.alreadyRated);
      case "rating_asked":
        return text(t.ratingAsked);
    }
  };

  const staff = (notice: StaffNotice): ChatMessage[] => {
    switch (notice.kind) {
      case "card":
        return text(
          [
            OP.card(
              notice.ticketId,
              notice.language,
              clip(notice.question, QUESTION_PREVIEW),
              tried(notice.tried),
            ),
            ...incidents().map((incident) =>
              OP.cardIncident(
                incident.broken,
                notice.tried.some((guess) => incident.intents.includes(guess.intent)),
              ),
            ),
          ].join("\n"),
          [[press(OP.take(notice.ticketId), { kind: "take", ticketId: notice.ticketId })]],
        );
      case "card_taken":
        return text(OP.cardTaken(notice.ticketId, notice.operatorName));
      case "card_cancelled":
        return text(OP.cardCancelled(notice.ticketId));
      case "taken":
        return text(OP.taken(notice.ticketId, notice.language));
      case "transcript": {
        const lines = [
          OP.transcriptHeader(notice.ticketId),
          `${f.b(`${OP.question}:`)} ${f.text(notice.question)}`,
        ];
        if (notice.tried.length > 0) lines.push(`${f.b(`${OP.tried}:`)} ${tried(notice.tried)}`);
        for (const line of notice.lines) {
          const name = f.text(line.name ?? "");
          const who =
            line.who === "citizen"
              ? OP.citizen
              : line.who === "note"
                ? `${OP.note} (${name})`
                : `${OP.operator} ${name}`;
          const file = line.file ? `${OP.file(line.file.kind)} ` : "";
          lines.push(`${f.b(`${who}:`)} ${file}${line.text ? f.text(line.text) : ""}`);
        }
        return text(lines.join("\n"));
      }
      case "citizen_file":
        return [{ kind: "file", file: notice.file, caption: OP.fileFromCitizen(notice.ticketId) }];
      case "from_citizen": {
        const id = notice.ticketId;
        const words = notice.text ?? "";
        if (notice.refused) {
          return text(OP.fromCitizen(id, `${OP.fileRefused(notice.refused)} ${f.text(words)}`));
        }
        return [
          {
            kind: "relay",
            ...(notice.file ? { file: notice.file } : {}),
            label: OP.fileFromCitizen(id),
            text: words,
            wrap: (formatted) => OP.fromCitizen(id, formatted),
          },
        ];
      }
      case "already_taken":
        return text(OP.alreadyTaken(notice.ticketId, notice.operatorName));
      case "ticket_closed":
        return text(OP.ticketClosed(notice.ticketId));
      case "not_found":
        return text(OP.notFound);
      case "not_operator":
        return text(OP.notOperator);
      case "not_supervisor":
        return text(OP.notSupervisor);
      case "off_shift":
        return text(OP.offShift);
      case "queue_empty":
        return text(OP.queueEmpty);
      case "not_yours":
        return text(OP.notYours(notice.ticketId));
      case "no_current":
        return text(OP.noCurrent);
      case "citizen_cancelled":
        return text(OP.citizenCancelled(notice.ticketId));
      case "citizen_blocked":
        return text(OP.citizenBlocked(notice.ticketId));
      case "not_delivered":
        return text(OP.undelivered(notice.ticketId));
      case "not_delivered_to_you":
        return text(OP.undeliveredToYou(notice.ticketId, notice.error));
      case "closed_by_you": {
        const closed = OP.closedByYou(notice.ticketId);
        if (notice.question === undefined) return text(closed);
        const id = notice.ticketId;
        return text(`${closed}\n\n${OP.topicAsk(notice.question)}`, [
          ...(notice.choices ?? []).map((choice) => [
            press(choice.title, { kind: "topic", ticketId: id, intent: choice.intent }),
          ]),
          [
            press(OP.topicNew, { kind: "topic", ticketId: id, intent: null }),
            press(OP.topicSkip, { kind: "topic_skip", ticketId: id }),
          ],
        ]);
      }
      case "topic_settled": {
        const closed = OP.closedByYou(notice.ticketId);
        return text(
          notice.chosen ? `${closed}\n${OP.topicChosen(title(notice.chosen.title))}` : closed,
        );
      }
      case "note_saved":
        return text(OP.noteSaved(notice.ticketId));
      case "note_usage":
        return text(OP.noteUsage);
      case "kb_usage":
        return text(OP.kbUsage);
      case "kb_choose":
        return text(
          OP.kbChoose(notice.ticketId),
          notice.choices.map((choice) => [
            press(choice.title, {
              kind: "canned",
              ticketId: notice.ticketId,
              intent: choice.intent,
            }),
          ]),
        );
      case "kb_nothing":
        return text(OP.kbNothing);
      case "kb_sent":
        return text(OP.kbSent(notice.ticketId, notice.title));
      case "transfer_usage":
        return text(
          [OP.transferUsage, ...notice.onShift.map((o) => `${o.staffId} — ${f.text(o.name)}`)].join(
            "\n",
          ),
        );
      case "transferred_to":
        return text(OP.transferredTo(notice.ticketId, notice.operatorName));
      case "transferred_to_queue":
        return text(OP.transferredToQueue(notice.ticketId));
      case "transferred_to_you":
        return text(OP.transferredToYou(notice.ticketId, notice.fromName));
      case "target_not_operator":
        return text(OP.targetNotOperator);
      case "target_off_shift":
        return text(OP.targetOffShift);
      case "same_operator":
        return text(OP.sameOperator);
      case "your_tickets":
        return text(
          OP.tickets,
          notice.tickets.map((ticket) => [
            press(
              `${ticket.current ? "▶️ " : ""}№${ticket.ticketId} · ${clip(ticket.question, LABEL_QUESTION)}`,
              { kind: "switch", ticketId: ticket.ticketId },
            ),
          ]),
        );
      case "no_tickets":
        return text(OP.noTickets);
      case "switched":
        return text(OP.switched(notice.ticketId));
      case "shift_on":
        return text(
          OP.shiftOn(notice.waiting),
          notice.waiting > 0 ? [[press(OP.takeNext, { kind: "take_next" })]] : undefined,
        );
      case "shift_off":
        return text(OP.shiftOff(notice.open));
      case "shift_state":
        return text(OP.shiftState(notice.onShift));
      case "queue":
        return text(
          OP.queue(
            notice.waiting,
            notice.oldestMinutes,
            notice.onShift.map((o) => `${f.text(o.name)} (${o.open})`).join(", "),
          ),
        );
      case "stats":
        return text(
          f.html(
            formatReportText(notice.report, {
              ...(intentTitle ? { intentTitle } : {}),
            }),
          ),
        );
      case "help":
        return text(OP.help);
      case "reminder":
        return text(OP.reminder(notice.ticketId, notice.minutes), [
          [press(OP.take(notice.ticketId), { kind: "take", ticketId: notice.ticketId })],
        ]);
      case "reminder_digest":
        return text(
          OP.reminderDigest(
            notice.limitMinutes,
            notice.tickets.map((t) => OP.reminderLine(t.ticketId, t.minutes)),
          ),
          [[press(OP.takeNext, { kind: "take_next" })]],
        );
      case "topic_saved":
        return text(OP.topicSaved(title(notice.title)));
      case "topic_skipped":
        return text(OP.topicSkipped);
      case "topic_already":
        return text(OP.topicAlready(title(notice.title)));
      case "topic_not_yours":
        return text(OP.topicNotYours(notice.ticketId));
      case "topic_not_closed":
        return text(OP.topicNotClosed(notice.ticketId));
      case "topic_no_question":
        return text(OP.topicNoQuestion(notice.ticketId));
      case "topic_unknown":
        return text(OP.topicUnknown(notice.intent));
      case "topic_usage":
        return text(OP.topicUsage(notice.ticketId));
    }
  };

  return {
    /** What a citizen is told, in their language. */
    citizen,
    /** What a staff member is told. */
    staff,
  };
}

export type Renderer = ReturnType<typeof createRenderer>;

const plain = createRenderer(PLAIN_FORMAT);

/**
 * A short notice on a pressed button as the one line of plain text a
 * Telegram callback answer or a terminal shows, without bidi controls
 * (it can name another operator); `language`: the presser's.
 *
 * @example toastText({ kind: "citizen", notice: { kind: "offer_stale" } }, "en")
 */
export function toastText(toast: Toast, language: Language): string {
  const [first] =
    toast.kind === "citizen" ? plain.citizen(toast.notice, language) : plain.staff(toast.notice);
  return first?.kind === "text" ? withoutBidiControls(first.text) : "";
}

/** Shortens text to `length` characters with an ellipsis, never inside an emoji. */
function clip(value: string, length: number): string {
  if (value.length <= length) return value;
  return `${value.slice(0, cutBefore(value, length - 1))}…`;
}
