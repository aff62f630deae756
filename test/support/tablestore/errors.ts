// Errors as the service reports them: an HTTP status plus a protobuf `Error { code, message }`
// body. The Node SDK 5.6.5 cannot parse that body (its extractError calls a missing XML parser),
// so SDK callers see `err.code` = the HTTP status and `err.message` = the raw body bytes as text,
// which still contain the OTS code and message. The status is therefore what callers branch on,
// and each code below keeps the status of the public error-code table.

export type OtsErrorCode =
  | 'OTSAuthFailed'
  | 'OTSParameterInvalid'
  | 'OTSObjectNotExist'
  | 'OTSObjectAlreadyExist'
  | 'OTSConditionCheckFail'
  | 'OTSQuotaExhausted'
  | 'OTSServerBusy'
  | 'OTSTimeout'
  | 'OTSMethodNotAllowed'
  | 'OTSRequestBodyTooLarge'
  | 'OTSInternalServerError';

const STATUS: Record<OtsErrorCode, number> = {
  OTSAuthFailed: 403,
  OTSParameterInvalid: 400,
  OTSObjectNotExist: 404,
  OTSObjectAlreadyExist: 409,
  OTSConditionCheckFail: 403,
  OTSQuotaExhausted: 403,
  OTSServerBusy: 503,
  OTSTimeout: 503,
  OTSMethodNotAllowed: 405,
  OTSRequestBodyTooLarge: 413,
  OTSInternalServerError: 500,
};

export class OtsError extends Error {
  readonly status: number;
  constructor(
    readonly code: OtsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'OtsError';
    this.status = STATUS[code];
  }
}

export function statusOf(code: OtsErrorCode): number {
  return STATUS[code];
}

export const Errors = {
  invalid: (message: string) => new OtsError('OTSParameterInvalid', message),
  tableNotExist: () => new OtsError('OTSObjectNotExist', 'Requested table does not exist.'),
  tableExists: () => new OtsError('OTSObjectAlreadyExist', 'Requested table already exists.'),
  conditionFailed: () => new OtsError('OTSConditionCheckFail', 'Condition check failed.'),
  tableQuota: () => new OtsError('OTSQuotaExhausted', 'Number of tables exceeded the quota.'),
  auth: (message: string) => new OtsError('OTSAuthFailed', message),
} as const;

/** The message each injectable fault carries. The SDK's retry policy matches the throttling text. */
export const FAULT_MESSAGES = {
  OTSServerBusy: 'Server is busy.',
  OTSQuotaExhausted: 'Too frequent table operations.',
  OTSTimeout: 'Operation timeout.',
} as const;

export type FaultCode = keyof typeof FAULT_MESSAGES;

export function faultError(code: FaultCode): OtsError {
  return new OtsError(code, FAULT_MESSAGES[code]);
}
