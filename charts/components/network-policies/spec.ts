/** `spec.networkPolicies` (the schema is defined with the other exposure settings in ../ingress/spec.ts). */
import { networkPoliciesSchema } from '../ingress/spec';

export { networkPoliciesSchema, type NetworkPoliciesSpec } from '../ingress/spec';

export const specSections = { networkPolicies: networkPoliciesSchema };
