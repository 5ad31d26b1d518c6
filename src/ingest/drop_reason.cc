#include "ingest/drop_reason.h"

namespace homer::ingest {

const char* DropReasonName(DropReason reason) {
  switch (reason) {
    case DropReason::kQueueFull: return "queue_full";
    case DropReason::kTooLarge: return "too_large";
    case DropReason::kTruncated: return "truncated";
    case DropReason::kBadLength: return "bad_length";
    case DropReason::kBadChunk: return "bad_chunk";
    case DropReason::kBadVersion: return "bad_version";
    case DropReason::kMissingField: return "missing_field";
    case DropReason::kBadAddress: return "bad_address";
    case DropReason::kNotSip: return "not_sip";
    case DropReason::kSipNoCallId: return "sip_no_call_id";
    case DropReason::kSipBadCSeq: return "sip_bad_cseq";
    case DropReason::kInvalidUtf8: return "invalid_utf8";
    case DropReason::kDiscarded: return "discarded";
    case DropReason::kDuplicate: return "duplicate";
    case DropReason::kTcpOutOfSync: return "tcp_out_of_sync";
    case DropReason::kWriterFailed: return "writer_failed";
    case DropReason::kShutdown: return "shutdown";
  }
  return "unknown";
}

}  // namespace homer::ingest
