import type { Language } from "./stem.ts";

// Function words that say nothing about which question is asked. Words that do
// carry intent here are deliberately absent: не, нет, когда, сколько, почему,
// можно, где, как, куда (they separate "hours" from "contacts", a problem from
// a request), and so are English "not", "when", "how", "where", "why".
const RUSSIAN = `и в во на с со к ко о об обо от до по за из у же ли бы то это этот эта эти
  а но или да так там тут вот еще уже ну вообще просто очень тоже также чтобы что чем
  я мне меня мной мы нас нам вы вас вам ты тебя тебе он она оно они его ее их им ей ему
  него нее ней ним них нему нем
  мой моя мое мои моего моей моих мою ваш ваша ваше ваши вашего вашей свой свою свои своего
  был была было были быть есть будет будут был бы
  пожалуйста подскажите скажите скажи подскажи помогите помоги помочь plz плиз пжл пж
  какой какая какое какие каким какую каков который которая которые
  при для без над под про через
  нибудь либо то-то кто-то что-то какой-то какие-то чо че чем-то ж же ведь вон
  блин капец фигня типа короче щас ваще вообщем вообще-то норм нормально
  уже опять снова ещё еще всего лишь
  лол ору кек ахах ахаха хах хаха ок окей ага эх ой шо чтоб нить кстати походу пжлст
  ужас кошмар безобразие издевательство достали задолбали надоело`;

const ENGLISH = `a an the and or but of in on at to for from by with about as is are was were be been
  am do does did i me my we our you your it its this that these those there here
  please pls plz can could would will shall should may might must tell me help
  lol lmao omg btw ok okay um uh guys just`;

// Greetings and thanks: words that make a message small talk when they are all
// there is, and are ignored when the message asks something else as well.
// Multi-word greetings ("добрый день", "до свидания") become one of these
// words through the synonym list.
const RUSSIAN_COURTESY = `привет приветствую здравствуйте здравствуй здрасте здрасьте хай
  спасибо спс благодарю благодарствую пасиб пасибо пока досвидания
  приветик салют спасибочки спасибки пасибки мерси сенкс благодарочка`;
const ENGLISH_COURTESY =
  "hi hello hey hiya greetings thanks thank thx ty tnx bye goodbye cheers appreciate";

function wordSet(list: string): ReadonlySet<string> {
  return new Set(list.split(/\s+/).filter(Boolean));
}

export const STOP_WORDS: Record<Language, ReadonlySet<string>> = {
  ru: wordSet(RUSSIAN),
  en: wordSet(ENGLISH),
};

export const COURTESY_WORDS: Record<Language, ReadonlySet<string>> = {
  ru: wordSet(RUSSIAN_COURTESY),
  en: wordSet(ENGLISH_COURTESY),
};
