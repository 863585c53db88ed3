// The entry of the thread that loads a knowledge folder and builds its
// matcher (build-thread-worker.ts). The bot runs its TypeScript through tsx,
// and a worker thread inherits neither tsx's hooks nor vitest's transform
// (Node 20): the thread registers tsx's hooks for itself, then runs the build.
import { register } from "tsx/esm/api";

register();
await import("./build-thread-worker.ts");
