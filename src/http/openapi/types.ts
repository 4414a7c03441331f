// The part of OpenAPI 3.0 this project's document uses, typed so a misspelt keyword or a
// missing `responses` fails the build instead of producing a document tools silently misread.

export interface Reference {
  $ref: string;
}

export interface SchemaObject {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
  format?: string;
  pattern?: string;
  enum?: ReadonlyArray<string | number>;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: SchemaOrRef;
  properties?: Record<string, SchemaOrRef>;
  required?: string[];
  additionalProperties?: boolean | SchemaOrRef;
  anyOf?: SchemaOrRef[];
  oneOf?: SchemaOrRef[];
  nullable?: boolean;
  description?: string;
  default?: unknown;
  example?: unknown;
}

export type SchemaOrRef = SchemaObject | Reference;

export interface ParameterObject {
  name: string;
  in: 'query' | 'header' | 'path' | 'cookie';
  required?: boolean;
  description?: string;
  schema: SchemaOrRef;
  style?: 'form' | 'simple';
  explode?: boolean;
  example?: unknown;
}

export interface MediaTypeObject {
  schema?: SchemaOrRef;
  example?: unknown;
  encoding?: Record<string, { style?: 'form'; explode?: boolean; contentType?: string }>;
}

export interface HeaderObject {
  description?: string;
  schema: SchemaOrRef;
}

export interface ResponseObject {
  description: string;
  headers?: Record<string, HeaderObject>;
  content?: Record<string, MediaTypeObject>;
}

export interface RequestBodyObject {
  description?: string;
  required?: boolean;
  content: Record<string, MediaTypeObject>;
}

export type SecurityRequirement = Record<string, string[]>;

export interface OperationObject {
  operationId: string;
  summary: string;
  description?: string;
  tags?: string[];
  parameters?: Array<ParameterObject | Reference>;
  requestBody?: RequestBodyObject;
  responses: Record<string, ResponseObject | Reference>;
  /** An empty list means "no authentication", overriding nothing (there is no global one). */
  security?: SecurityRequirement[];
}

export interface PathItemObject {
  summary?: string;
  description?: string;
  get?: OperationObject;
  head?: OperationObject;
  post?: OperationObject;
  delete?: OperationObject;
}

export type SecuritySchemeObject =
  | { type: 'apiKey'; name: string; in: 'query' | 'header' | 'cookie'; description?: string }
  | { type: 'http'; scheme: 'basic' | 'bearer'; description?: string };

export interface OpenApiDocument {
  openapi: '3.0.3';
  info: { title: string; version: string; description?: string; license?: { name: string } };
  tags?: Array<{ name: string; description?: string }>;
  paths: Record<string, PathItemObject>;
  components: {
    schemas: Record<string, SchemaObject>;
    parameters: Record<string, ParameterObject>;
    securitySchemes: Record<string, SecuritySchemeObject>;
  };
}

/** A reference to a component by kind and name. */
export const ref = (kind: 'schemas' | 'parameters', name: string): Reference => ({ $ref: `#/components/${kind}/${name}` });

