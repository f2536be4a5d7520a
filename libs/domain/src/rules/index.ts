// The rule model, version 1, exported from the domain as the `rules` namespace: its names
// (`Rule`, `Reward`, `evaluateAudience`) would clash with coupon-rule.ts's, which apps still use.
export * from './control-group';
export * from './evaluate-audience';
export * from './offer-validity';
export * from './parse-rule';
export * from './rule-model';
