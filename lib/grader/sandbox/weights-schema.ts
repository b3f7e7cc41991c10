// The JSON schema of a model's weights as the grader writes them (observations from the child, a release's
// expected values): one definition for both readers. NaN is written as null.
export const WEIGHTS_SCHEMA = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    required: ['shape', 'values'],
    properties: {
      shape: { type: 'array', items: { type: 'integer' } },
      values: { type: 'array', items: { type: ['number', 'null'] } },
    },
  },
};
