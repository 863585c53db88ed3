export { createStore, type QuestionRecord, type Store, type StoreOptions } from "./store.ts";
