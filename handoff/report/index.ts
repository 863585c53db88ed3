export {
  formatCount,
  formatDate,
  formatDateTime,
  formatDay,
  formatDuration,
  formatDurationRange,
  formatMean,
  formatPeriod,
  formatShare,
} from "./format.ts";
export { DECISIONS, type IntentTitle } from "./labels.ts";
