// Sample quality: the judge (a small ANN MNIST classifier) and the metrics in its feature space.
export { Judge, JUDGE_VERSION, JUDGE_ARCH, JUDGE_FEATURES, JUDGE_DEFAULTS } from './judge.ts';
export type { JudgeRecipe, LabelledImages } from './judge.ts';
export type { JudgeInfo } from './judge-file.ts';
export { trainJudge } from './judge-train.ts';
export type { TrainJudgeOptions } from './judge-train.ts';
export { loadOrTrainJudge, judgeCachePath, judgeProgress } from './judge-cache.ts';
export type { LoadOrTrainOptions } from './judge-cache.ts';
export {
  fid,
  frechetDistance,
  gaussianStats,
  classifierScore,
  classCoverage,
  copyCheck,
  qualityReport,
  formatQualityReport,
  noiseImages,
  sampleIndices,
  percentile,
  distanceStats,
  NearestIndex,
} from './metrics.ts';
export type {
  GaussianStats,
  ClassCoverage,
  DistanceStats,
  CopyCheck,
  CopyCheckOptions,
  Images,
  QualityRefs,
  QualityReport,
  NearestIndexOptions,
  NearestResult,
  QualityLabels,
  LabelAgreement,
} from './metrics.ts';
export { meanPairwiseDistance, classDistances, withinClassVariety, VARIETY_MAX_PER_CLASS } from './variety.ts';
export type { ClassDistances, VarietyOptions, WithinClassVariety } from './variety.ts';
