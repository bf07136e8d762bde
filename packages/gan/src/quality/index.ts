// Sample quality: the judge (a small ANN MNIST classifier) and the metrics in its feature space.
export {
  Judge, trainJudge, loadOrTrainJudge, judgeCachePath, judgeProgress, JUDGE_VERSION, JUDGE_ARCH, JUDGE_FEATURES,
} from './mlp.ts';
export type { JudgeInfo, LabelledImages, TrainJudgeOptions, LoadOrTrainOptions } from './mlp.ts';
export {
  fid, frechetDistance, gaussianStats, classifierScore, classCoverage, copyCheck, qualityReport, formatQualityReport,
  noiseImages, sampleIndices, percentile, distanceStats, NearestIndex,
} from './metrics.ts';
export type {
  GaussianStats, ClassCoverage, DistanceStats, CopyCheck, CopyCheckOptions, Images, QualityRefs, QualityReport,
  NearestIndexOptions, NearestResult, QualityLabels, LabelAgreement,
} from './metrics.ts';
export { meanPairwiseDistance, classDistances, withinClassVariety, VARIETY_MAX_PER_CLASS } from './variety.ts';
export type { ClassDistances, VarietyOptions, WithinClassVariety } from './variety.ts';
