/** `spec.gitops` (the schema is defined with the other exposure settings in ../ingress/spec.ts). */
import { gitopsSchema } from '../ingress/spec';

export { gitopsSchema, type GitopsSpec } from '../ingress/spec';

export const specSections = { gitops: gitopsSchema };
