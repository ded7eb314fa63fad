/**
 * The `Settlement` gRPC contract that SDK-type Service Bus bindings call back on (shared by the WebJobs Service
 * Bus extension's SettlementService and the workers' extension libraries: no proto package, service `Settlement`,
 * Empty / StringValue / Timestamp from google.protobuf). Written as a protobufjs JSON descriptor so it needs no
 * .proto file next to the compiled code; only field names, types and numbers matter on the wire.
 */
import * as protoLoader from '@grpc/proto-loader';

const str = (id: number) => ({ type: 'string', id });
const bytes = (id: number) => ({ type: 'bytes', id });
const empty = 'google.protobuf.Empty';

const descriptor = {
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Empty: { fields: {} },
            StringValue: { fields: { value: str(1) } },
            Timestamp: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
          },
        },
      },
    },
    Settlement: {
      methods: {
        Complete: { requestType: 'CompleteRequest', responseType: empty },
        Abandon: { requestType: 'AbandonRequest', responseType: empty },
        Deadletter: { requestType: 'DeadletterRequest', responseType: empty },
        Defer: { requestType: 'DeferRequest', responseType: empty },
        RenewMessageLock: { requestType: 'RenewMessageLockRequest', responseType: empty },
        GetSessionState: { requestType: 'GetSessionStateRequest', responseType: 'GetSessionStateResponse' },
        SetSessionState: { requestType: 'SetSessionStateRequest', responseType: empty },
        ReleaseSession: { requestType: 'ReleaseSessionRequest', responseType: empty },
        RenewSessionLock: { requestType: 'RenewSessionLockRequest', responseType: 'RenewSessionLockResponse' },
      },
    },
    CompleteRequest: { fields: { locktoken: str(1) } },
    AbandonRequest: { fields: { locktoken: str(1), propertiesToModify: bytes(2) } },
    DeadletterRequest: {
      fields: {
        locktoken: str(1),
        propertiesToModify: bytes(2),
        deadletterReason: { type: 'google.protobuf.StringValue', id: 3 },
        deadletterErrorDescription: { type: 'google.protobuf.StringValue', id: 4 },
      },
    },
    DeferRequest: { fields: { locktoken: str(1), propertiesToModify: bytes(2) } },
    RenewMessageLockRequest: { fields: { locktoken: str(1) } },
    GetSessionStateRequest: { fields: { sessionId: str(1) } },
    GetSessionStateResponse: { fields: { sessionState: bytes(1) } },
    SetSessionStateRequest: { fields: { sessionId: str(1), sessionState: bytes(2) } },
    ReleaseSessionRequest: { fields: { sessionId: str(1) } },
    RenewSessionLockRequest: { fields: { sessionId: str(1) } },
    RenewSessionLockResponse: { fields: { lockedUntil: { type: 'google.protobuf.Timestamp', id: 1 } } },
  },
};

/** Same loader options as the Node extension's client, so both sides see the same object shapes. */
export function loadSettlementDefinition(): protoLoader.PackageDefinition {
  // The descriptor is plain JSON; protobufjs' INamespace type also demands optional-in-practice fields (comment).
  return protoLoader.fromJSON(descriptor as unknown as Parameters<typeof protoLoader.fromJSON>[0], { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true });
}

export interface LockTokenRequest {
  locktoken: string;
}

export interface ModifyRequest extends LockTokenRequest {
  propertiesToModify: Buffer;
}

export interface DeadletterRequest extends ModifyRequest {
  deadletterReason: { value: string } | null;
  deadletterErrorDescription: { value: string } | null;
}

export interface SessionRequest {
  sessionId: string;
}

export interface SetSessionStateRequest extends SessionRequest {
  sessionState: Buffer;
}
