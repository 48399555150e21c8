/*
 * The request and response schemas of the Open Inference Protocol (OIP) v2 REST API, copied
 * from `components.schemas` of kserve/open-inference-protocol
 * `specification/protocol/open_inference_rest.yaml` at commit
 * d49cc23f89d709d87b210ef9449e273ae243984e (only the `x-examples`, `title` and empty
 * `description` fields left out).
 *
 * Copyright 2023 The KServe Authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *    http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const errorResponse = {
  type: 'object',
  properties: { error: { type: 'string' } },
  required: ['error'],
};

/** `components.schemas` of the upstream OIP REST spec. */
export const OIP_SCHEMAS = {
  metadata_server_response: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      version: { type: 'string' },
      extensions: { type: 'array', items: { type: 'string' } },
    },
    required: ['name', 'version', 'extensions'],
  },
  metadata_server_error_response: errorResponse,
  metadata_model_response: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      versions: { type: 'array', items: { type: 'string' } },
      platform: { type: 'string' },
      inputs: { type: 'array', items: ref('metadata_tensor') },
      outputs: { type: 'array', items: ref('metadata_tensor') },
      properties: {
        type: 'object',
        additionalProperties: { type: 'string' },
      },
    },
    required: ['name', 'platform'],
  },
  metadata_tensor: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      datatype: { type: 'string' },
      shape: { type: 'array', items: { type: 'integer' } },
    },
    required: ['name', 'datatype', 'shape'],
  },
  metadata_model_error_response: errorResponse,
  inference_request: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      parameters: ref('parameters'),
      inputs: { type: 'array', items: ref('request_input') },
      outputs: { type: 'array', items: ref('request_output') },
    },
    required: ['inputs'],
  },
  parameters: { type: 'object' },
  request_input: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      shape: { type: 'array', items: { type: 'integer' } },
      datatype: { type: 'string' },
      parameters: ref('parameters'),
      data: ref('tensor_data'),
    },
    required: ['name', 'shape', 'datatype', 'data'],
  },
  tensor_data: {
    type: 'array',
    items: {
      anyOf: [
        ref('tensor_data'),
        { type: 'number' },
        { type: 'string' },
        { type: 'boolean' },
      ],
    },
  },
  request_output: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      parameters: ref('parameters'),
    },
    required: ['name'],
  },
  response_output: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      shape: { type: 'array', items: { type: 'integer' } },
      datatype: { type: 'string' },
      parameters: ref('parameters'),
      data: ref('tensor_data'),
    },
    required: ['name', 'shape', 'datatype', 'data'],
  },
  inference_response: {
    type: 'object',
    properties: {
      model_name: { type: 'string' },
      model_version: { type: 'string' },
      id: { type: 'string' },
      parameters: ref('parameters'),
      outputs: { type: 'array', items: ref('response_output') },
    },
    required: ['model_name', 'outputs'],
  },
  inference_error_response: {
    type: 'object',
    properties: { error: { type: 'string' } },
  },
};
