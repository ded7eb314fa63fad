/**
 * Generates the Bicep extension types (index.json + types.json, npm `bicep-types`) from the core zod schemas through
 * zod's JSON Schema output: descriptions, enums, literals, min/max, lengths and patterns are carried over, so the
 * types cannot say something the management API would refuse (test/unit/bicep/types-drift.test.ts).
 */
import { buildIndex, CrossFileTypeReference, ObjectTypePropertyFlags, TypeFactory, writeIndexJson, writeTypesJson, type ObjectTypeProperty, type TypeReference } from 'bicep-types';
import { z } from 'zod';
import { configItemSchemas } from '../../core/config';
import { API_VERSION, EXTENSION_NAME, extensionConfigSchema, RESOURCE_TYPES, SEMAPHORE_RESOURCE_NAME, STREAM_RESOURCE_TYPE, streamDesiredStateSchema, type ResourceTypeName } from '../resource-types';

type JsonSchema = {
  type?: string;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
};

const SAFE_MAX = Number.MAX_SAFE_INTEGER;

class Converter {
  constructor(readonly factory: TypeFactory) {}

  type(schema: JsonSchema, name: string): TypeReference {
    const union = schema.oneOf ?? schema.anyOf;
    if (union !== undefined) return this.union(union, name);
    if (schema.const !== undefined) return this.factory.addStringLiteralType(String(schema.const));
    if (schema.enum !== undefined) return this.factory.addUnionType(schema.enum.map((v) => this.factory.addStringLiteralType(String(v))));
    switch (schema.type) {
      case 'string':
        return this.factory.addStringType(undefined, schema.minLength, schema.maxLength, schema.pattern);
      case 'integer':
        return this.factory.addIntegerType(bound(schema.minimum), bound(schema.maximum));
      case 'boolean':
        return this.factory.addBooleanType();
      case 'array':
        return this.factory.addArrayType(this.type(schema.items ?? {}, `${name}Item`), schema.minItems, schema.maxItems);
      case 'object':
        return this.object(schema, name);
      default:
        // Bicep has no fractional numbers: ratios and coefficients are typed loosely and checked by the handler.
        return this.factory.addAnyType();
    }
  }

  object(schema: JsonSchema, name: string, overrides: Record<string, ObjectTypeProperty> = {}, omit: string[] = []): TypeReference {
    const properties: Record<string, ObjectTypeProperty> = {};
    for (const [key, property] of Object.entries(schema.properties ?? {})) {
      if (omit.includes(key)) continue;
      const required = schema.required?.includes(key) ?? false;
      properties[key] = { type: this.type(property, `${name}${capitalise(key)}`), flags: required ? ObjectTypePropertyFlags.Required : ObjectTypePropertyFlags.None, description: property.description };
    }
    Object.assign(properties, overrides);
    const additional = typeof schema.additionalProperties === 'object' ? this.type(schema.additionalProperties, `${name}Value`) : undefined;
    return this.factory.addObjectType(name, properties, additional);
  }

  /** zod discriminated unions (on "kind") become Bicep discriminated object types. */
  private union(options: JsonSchema[], name: string): TypeReference {
    const elements: Record<string, TypeReference> = {};
    for (const option of options) {
      const value = option.properties?.['kind']?.const;
      if (option.type !== 'object' || typeof value !== 'string') {
        throw new Error(`${name}: only unions discriminated by a "kind" literal can become Bicep types`);
      }
      elements[value] = this.object(option, `${name}${capitalise(value)}`);
    }
    return this.factory.addDiscriminatedObjectType(name, 'kind', {}, elements);
  }
}

function bound(value: number | undefined): number | undefined {
  return value === undefined || Math.abs(value) >= SAFE_MAX ? undefined : value;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function jsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

const identifier = ObjectTypePropertyFlags.Required | ObjectTypePropertyFlags.Identifier;

export interface GeneratedTypes {
  indexJson: string;
  typesJson: string;
}

export function generateBicepTypes(version: string): GeneratedTypes {
  const factory = new TypeFactory();
  const converter = new Converter(factory);
  const status: ObjectTypeProperty = { type: factory.addStringType(), flags: ObjectTypePropertyFlags.ReadOnly, description: 'Set by Sluice: "created", "updated" or "unchanged", with the stored version.' };
  for (const [typeName, kind] of Object.entries(RESOURCE_TYPES) as Array<[ResourceTypeName, (typeof RESOURCE_TYPES)[ResourceTypeName]]>) {
    const schema = jsonSchema(configItemSchemas[kind]);
    const short = typeName.slice('Sluice/'.length);
    let body: TypeReference;
    if (kind === 'semaphores') {
      const name: ObjectTypeProperty = { type: factory.addStringType(undefined, undefined, undefined, SEMAPHORE_RESOURCE_NAME.source), flags: identifier, description: 'Semaphore key: "source:<name>" or "target:<name>".' };
      body = converter.object(schema, short, { name, status }, ['kind']);
    } else if (schema.oneOf !== undefined) {
      body = notificationBody(converter, schema, short, status);
    } else {
      const name: ObjectTypeProperty = { type: converter.type(schema.properties?.['name'] ?? {}, `${short}Name`), flags: identifier, description: schema.properties?.['name']?.description };
      body = converter.object(schema, short, { name, status });
    }
    factory.addUnscopedResourceType(`${typeName}@${API_VERSION}`, body);
  }
  const streamSchema = jsonSchema(streamDesiredStateSchema);
  const streamName: ObjectTypeProperty = { type: converter.type(streamSchema.properties?.['name'] ?? {}, 'streamsName'), flags: identifier, description: streamSchema.properties?.['name']?.description };
  const streamStatus: ObjectTypeProperty = { type: factory.addStringType(), flags: ObjectTypePropertyFlags.ReadOnly, description: 'Set by Sluice: "suspended", "resumed" or "unchanged", with the stream status.' };
  factory.addUnscopedResourceType(`${STREAM_RESOURCE_TYPE}@${API_VERSION}`, converter.object(streamSchema, 'streams', { name: streamName, status: streamStatus }));
  const config = converter.object(jsonSchema(extensionConfigSchema), 'configuration', {
    functionKey: { type: factory.addStringType(true), flags: ObjectTypePropertyFlags.None, description: extensionConfigSchema.shape.functionKey.description },
    accessToken: { type: factory.addStringType(true), flags: ObjectTypePropertyFlags.None, description: extensionConfigSchema.shape.accessToken.description },
  });
  const index = buildIndex([{ relativePath: 'types.json', types: factory.types }], () => undefined, {
    name: EXTENSION_NAME,
    version,
    isSingleton: false,
    configurationType: new CrossFileTypeReference('types.json', config.index),
  });
  return { indexJson: `${writeIndexJson(index)}\n`, typesJson: `${writeTypesJson(factory.types)}\n` };
}

/** A notification target is one resource type whose `kind` picks the shape (Bicep: a discriminated object). */
function notificationBody(converter: Converter, schema: JsonSchema, short: string, status: ObjectTypeProperty): TypeReference {
  const factory = converter.factory;
  const elements: Record<string, TypeReference> = {};
  for (const option of schema.oneOf ?? []) {
    const value = String(option.properties?.['kind']?.const);
    const name: ObjectTypeProperty = { type: converter.type(option.properties?.['name'] ?? {}, `${short}Name`), flags: identifier, description: option.properties?.['name']?.description };
    elements[value] = converter.object(option, `${short}${capitalise(value)}`, { name, status });
  }
  return factory.addDiscriminatedObjectType(short, 'kind', {}, elements);
}
