/**
 * The Bicep local-deploy extension protocol (package `extension`, service `BicepExtension`) as a protobuf JSON
 * descriptor, written from its documented wire contract, loaded with @grpc/proto-loader. proto3 `optional`
 * strings are declared as plain strings: same field numbers and wire encoding; an empty string means absent.
 */
import { fromJSON } from '@grpc/proto-loader';
import { loadPackageDefinition, type GrpcObject, type ServiceDefinition } from '@grpc/grpc-js';

const str = (id: number) => ({ type: 'string', id });

const descriptor = {
  nested: {
    extension: {
      nested: {
        BicepExtension: {
          methods: {
            CreateOrUpdate: { requestType: 'ResourceSpecification', responseType: 'LocalExtensibilityOperationResponse' },
            Preview: { requestType: 'ResourceSpecification', responseType: 'LocalExtensibilityOperationResponse' },
            Get: { requestType: 'ResourceReference', responseType: 'LocalExtensibilityOperationResponse' },
            Delete: { requestType: 'ResourceReference', responseType: 'LocalExtensibilityOperationResponse' },
            GetTypeFiles: { requestType: 'Empty', responseType: 'TypeFilesResponse' },
            Ping: { requestType: 'Empty', responseType: 'Empty' },
          },
        },
        Empty: { fields: {} },
        ResourceSpecification: { fields: { config: str(1), type: str(2), apiVersion: str(3), properties: str(4) } },
        ResourceReference: { fields: { identifiers: str(1), config: str(2), type: str(3), apiVersion: str(4) } },
        LocalExtensibilityOperationResponse: { fields: { resource: { type: 'Resource', id: 1 }, errorData: { type: 'ErrorData', id: 2 } } },
        Resource: { fields: { type: str(1), apiVersion: str(2), identifiers: str(3), properties: str(4), status: str(5) } },
        ErrorData: { fields: { error: { type: 'Error', id: 1 } } },
        Error: { fields: { code: str(1), target: str(2), message: str(3), details: { rule: 'repeated', type: 'ErrorDetail', id: 4 }, innerError: str(5) } },
        ErrorDetail: { fields: { code: str(1), target: str(2), message: str(3) } },
        TypeFilesResponse: { fields: { indexFile: str(1), typeFiles: { keyType: 'string', type: 'string', id: 2 } } },
      },
    },
  },
};

export interface ResourceSpecification {
  config: string;
  type: string;
  apiVersion: string;
  properties: string;
}

export interface ResourceReference {
  identifiers: string;
  config: string;
  type: string;
  apiVersion: string;
}

export interface ExtensionError {
  code: string;
  target: string;
  message: string;
  details: Array<{ code: string; target: string; message: string }>;
}

export interface OperationResponse {
  resource?: { type: string; apiVersion: string; identifiers: string; properties: string; status: string };
  errorData?: { error: ExtensionError };
}

/** The grpc-js service definition of `extension.BicepExtension`. */
export function bicepExtensionService(): ServiceDefinition {
  const definition = fromJSON(descriptor as unknown as Parameters<typeof fromJSON>[0], { keepCase: true, longs: String, enums: String, defaults: true });
  const root = loadPackageDefinition(definition) as unknown as { extension: GrpcObject & { BicepExtension: { service: ServiceDefinition } } };
  return root.extension.BicepExtension.service;
}
