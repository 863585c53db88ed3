// The inverted index the matcher scores with: for each feature (a word stem
// or a character n-gram), the examples and the classes that have it, with
// their weights. Plain numbers in typed arrays, one slice per feature
// (compressed sparse rows), so that it is built once in a worker thread and
// handed over whole, and a question only visits the examples that share one
// of its features.

/** One kind of feature (stems or n-grams) of one language, ready to score with. */
export interface FeatureIndexData {
  /** The features, by number. */
  names: string[];
  /** How rare each feature is among the classes: log(1 + classes / classes with it). */
  idf: Float64Array;
  /** Example e's features are `exampleFeatures[exampleStart[e]..exampleStart[e + 1]]`. */
  exampleStart: Int32Array;
  exampleFeatures: Int32Array;
  /**
   * The norm of each example's idf vector: feature f's weight in example e's
   * unit vector is `idf[f] / exampleNorm[e]` (kept as the norm, a number an
   * example instead of one a feature, for a third less to hand over).
   */
  exampleNorm: Float64Array;
  /** Feature f's examples are `postingIds[postingStart[f]..postingStart[f + 1]]`, rising. */
  postingStart: Int32Array;
  postingIds: Int32Array;
  /** Feature f's classes are `classIds[classStart[f]..classStart[f + 1]]`. */
  classStart: Int32Array;
  classIds: Int32Array;
  /** The feature's weight in the class's unit vector. */
  classWeights: Float64Array;
  /** The feature's highest weight in one of the class's examples. */
  classMax: Float64Array;
  /** The weight given to a feature the index has never seen. */
  unseenIdf: number;
}

/** A growing list of 32-bit integers, without a JavaScript array's boxing. */
export class IntList {
  data = new Int32Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }
  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

/** Gives each distinct feature a number, in the order they are first seen. */
export class FeatureNumbers {
  readonly ids = new Map<string, number>();
  readonly names: string[] = [];
  idOf(feature: string): number {
    let id = this.ids.get(feature);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(feature, id);
      this.names.push(feature);
    }
    return id;
  }
}

/**
 * Builds the index over examples given as feature numbers: example e has
 * `features[start[e]..start[e + 1]]` (distinct, in the order the example has
 * them) and belongs to class `classOf[e]`. The examples of a class must be
 * next to each other.
 */
export function buildFeatureIndex(
  names: string[],
  start: Int32Array,
  features: Int32Array,
  classOf: Int32Array,
  classCount: number,
): FeatureIndexData {
  const featureCount = names.length;
  const exampleCount = classOf.length;
  // Classes with each feature: a class's examples are together, so a
  // feature seen again in the same class is counted once.
  const classesWith = new Int32Array(featureCount);
  const lastClass = new Int32Array(featureCount).fill(-1);
  for (let e = 0; e < exampleCount; e++) {
    const c = classOf[e] as number;
    for (let k = start[e] as number; k < (start[e + 1] as number); k++) {
      const f = features[k] as number;
      if (lastClass[f] !== c) {
        lastClass[f] = c;
        classesWith[f] = (classesWith[f] as number) + 1;
      }
    }
  }
  const examplesWith = new Int32Array(featureCount);
  for (let k = 0; k < features.length; k++) {
    const f = features[k] as number;
    examplesWith[f] = (examplesWith[f] as number) + 1;
  }
  const postingStart = prefixSums(examplesWith);
  const postingIds = new Int32Array(features.length);
  const postingFill = postingStart.slice(0, featureCount);
  for (let e = 0; e < exampleCount; e++) {
    for (let k = start[e] as number; k < (start[e + 1] as number); k++) {
      const f = features[k] as number;
      const at = postingFill[f] as number;
      postingFill[f] = at + 1;
      postingIds[at] = e;
    }
  }
  const idf = new Float64Array(featureCount);
  for (let f = 0; f < featureCount; f++) {
    idf[f] = Math.log(1 + classCount / (classesWith[f] as number));
  }

  // Each example's norm, its features summed in the order it has them.
  const exampleNorm = new Float64Array(exampleCount);
  for (let e = 0; e < exampleCount; e++) {
    let norm = 0;
    for (let k = start[e] as number; k < (start[e + 1] as number); k++) {
      norm += (idf[features[k] as number] as number) ** 2;
    }
    exampleNorm[e] = Math.sqrt(norm) || 1;
  }

  // A class's vector: every feature of its examples, weighted by idf and by
  // how many of its examples have it (sublinearly).
  const counts = new Int32Array(featureCount);
  const highest = new Float64Array(featureCount);
  const classEntryMax: number[] = [];
  const seen = new IntList();
  const classFeatures = new IntList();
  const classIdsByEntry = new IntList();
  const classEntryWeights: number[] = [];
  const classesPerFeature = new Int32Array(featureCount);
  let e = 0;
  while (e < exampleCount) {
    const c = classOf[e] as number;
    seen.length = 0;
    for (; e < exampleCount && classOf[e] === c; e++) {
      for (let k = start[e] as number; k < (start[e + 1] as number); k++) {
        const f = features[k] as number;
        if (counts[f] === 0) seen.push(f);
        counts[f] = (counts[f] as number) + 1;
        const weight = (idf[f] as number) / (exampleNorm[e] as number);
        highest[f] = Math.max(highest[f] as number, weight);
      }
    }
    let norm = 0;
    const weights: number[] = [];
    for (let i = 0; i < seen.length; i++) {
      const f = seen.data[i] as number;
      const weight = (idf[f] as number) * (1 + Math.log(counts[f] as number));
      weights.push(weight);
      norm += weight * weight;
    }
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < seen.length; i++) {
      const f = seen.data[i] as number;
      counts[f] = 0;
      classEntryMax.push(highest[f] as number);
      highest[f] = 0;
      classFeatures.push(f);
      classIdsByEntry.push(c);
      classEntryWeights.push((weights[i] as number) / norm);
      classesPerFeature[f] = (classesPerFeature[f] as number) + 1;
    }
  }
  const classStart = prefixSums(classesPerFeature);
  const classIds = new Int32Array(classFeatures.length);
  const classWeights = new Float64Array(classFeatures.length);
  const classMax = new Float64Array(classFeatures.length);
  const classFill = classStart.slice(0, featureCount);
  for (let i = 0; i < classFeatures.length; i++) {
    const f = classFeatures.data[i] as number;
    const at = classFill[f] as number;
    classFill[f] = at + 1;
    classIds[at] = classIdsByEntry.data[i] as number;
    classWeights[at] = classEntryWeights[i] as number;
    classMax[at] = classEntryMax[i] as number;
  }
  return {
    names,
    idf,
    exampleStart: start,
    exampleFeatures: features,
    exampleNorm,
    postingStart,
    postingIds,
    classStart,
    classIds,
    classWeights,
    classMax,
    unseenIdf: Math.log(1 + classCount / 0.5),
  };
}

function prefixSums(counts: Int32Array): Int32Array {
  const sums = new Int32Array(counts.length + 1);
  for (let i = 0; i < counts.length; i++) sums[i + 1] = (sums[i] as number) + (counts[i] as number);
  return sums;
}

/** The typed arrays of an index, to hand to another thread without a copy. */
export function transferablesOf(index: FeatureIndexData): ArrayBuffer[] {
  return [
    index.idf,
    index.exampleStart,
    index.exampleFeatures,
    index.exampleNorm,
    index.postingStart,
    index.postingIds,
    index.classStart,
    index.classIds,
    index.classWeights,
    index.classMax,
  ].map((array) => array.buffer as ArrayBuffer);
}

/** An index ready to score with: the data and its features by name. */
export interface FeatureIndex {
  data: FeatureIndexData;
  ids: ReadonlyMap<string, number>;
  /** Where each feature is in the query being scored (1-based; 0 when absent). */
  queryPosition: Int32Array;
}

/** Looks the features up by name (the only work on the thread that receives an index). */
export function openFeatureIndex(data: FeatureIndexData): FeatureIndex {
  const ids = new Map<string, number>();
  data.names.forEach((name, id) => {
    ids.set(name, id);
  });
  return { data, ids, queryPosition: new Int32Array(data.names.length) };
}

/** A query against one index: its known features with their weights, and each class's scores. */
export interface QueryScores {
  /** The query vector's norm (0 when empty). */
  norm: number;
  features: number[];
  /** Each known feature's weight in the query's unit vector. */
  weights: number[];
  /** Cosine similarity to each class's vector. */
  classes: Float64Array;
  /** No example of the class is closer than this (the sum of its features' highest weights). */
  bounds: Float64Array;
}

/**
 * Scores `query` against every class of the index, with a bound on its
 * similarity to each class's examples; `exampleScore` then gives the exact
 * similarity to the examples worth it.
 */
export function scoreClasses(
  index: FeatureIndex,
  query: ReadonlySet<string>,
  classCount: number,
): QueryScores {
  const { data } = index;
  let norm = 0;
  const features: number[] = [];
  for (const feature of query) {
    const id = index.ids.get(feature);
    if (id !== undefined) features.push(id);
    norm += (id === undefined ? data.unseenIdf : (data.idf[id] as number)) ** 2;
  }
  norm = Math.sqrt(norm);
  const classes = new Float64Array(classCount);
  const bounds = new Float64Array(classCount);
  const weights: number[] = [];
  if (norm === 0) return { norm, features: [], weights, classes, bounds };
  for (const f of features) {
    const weight = (data.idf[f] as number) / norm;
    weights.push(weight);
    for (let i = data.classStart[f] as number; i < (data.classStart[f + 1] as number); i++) {
      const id = data.classIds[i] as number;
      classes[id] = (classes[id] as number) + weight * (data.classWeights[i] as number);
      bounds[id] = (bounds[id] as number) + weight * (data.classMax[i] as number);
    }
  }
  return { norm, features, weights, classes, bounds };
}

/**
 * Marks the query's features in the index for `exampleScore`; `unmark`
 * clears them again.
 */
export function markQuery(index: FeatureIndex, query: QueryScores): void {
  query.features.forEach((f, j) => {
    index.queryPosition[f] = j + 1;
  });
}

export function unmarkQuery(index: FeatureIndex, query: QueryScores): void {
  for (const f of query.features) index.queryPosition[f] = 0;
}

/** Scratch space for `exampleScore`, each array as long as the longest query. */
export interface ExampleScratch {
  positions: Int32Array;
  weights: Float64Array;
}

/**
 * The cosine similarity of the marked query to example `e`, summed in the
 * query's feature order (as adding up the features' postings would, to the
 * last bit).
 */
export function exampleScore(
  index: FeatureIndex,
  query: QueryScores,
  e: number,
  scratch: ExampleScratch,
): number {
  const { data, queryPosition } = index;
  const { positions, weights } = scratch;
  const norm = data.exampleNorm[e] as number;
  let matched = 0;
  for (let k = data.exampleStart[e] as number; k < (data.exampleStart[e + 1] as number); k++) {
    const j = queryPosition[data.exampleFeatures[k] as number] as number;
    if (j === 0) continue;
    weights[j] = (data.idf[data.exampleFeatures[k] as number] as number) / norm;
    // Insertion into query order: an example shares a few of the query's features.
    let at = matched++;
    while (at > 0 && (positions[at - 1] as number) > j) {
      positions[at] = positions[at - 1] as number;
      at--;
    }
    positions[at] = j;
  }
  let score = 0;
  for (let i = 0; i < matched; i++) {
    const j = positions[i] as number;
    score += (query.weights[j - 1] as number) * (weights[j] as number);
  }
  return score;
}

/** How many postings scoring every example by `addExampleScores` would visit. */
export function postingWork(index: FeatureIndex, query: QueryScores): number {
  let work = 0;
  for (const f of query.features) {
    work += (index.data.postingStart[f + 1] as number) - (index.data.postingStart[f] as number);
  }
  return work;
}

/** Every example's score for one query, and the examples above zero. */
export class ExampleScores {
  readonly scores: Float64Array;
  readonly touched: Int32Array;
  touchedCount = 0;
  constructor(exampleCount: number) {
    this.scores = new Float64Array(exampleCount);
    this.touched = new Int32Array(exampleCount);
  }
}

/**
 * Scores every example sharing a feature with the query through the
 * features' postings, into `into` (cleared first): the cheaper way when the
 * postings are few (a small knowledge base). Sums as `exampleScore` does.
 */
export function addExampleScores(
  index: FeatureIndex,
  query: QueryScores,
  into: ExampleScores,
): void {
  const { data } = index;
  const { scores, touched } = into;
  for (let i = 0; i < into.touchedCount; i++) scores[touched[i] as number] = 0;
  let count = 0;
  query.features.forEach((f, j) => {
    const weight = query.weights[j] as number;
    const idf = data.idf[f] as number;
    for (let i = data.postingStart[f] as number; i < (data.postingStart[f + 1] as number); i++) {
      const e = data.postingIds[i] as number;
      const before = scores[e] as number;
      // Weights are above zero: a score of zero is one not touched yet.
      if (before === 0) touched[count++] = e;
      scores[e] = before + weight * (idf / (data.exampleNorm[e] as number));
    }
  });
  into.touchedCount = count;
}
