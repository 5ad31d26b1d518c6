#pragma once
/// \file
/// The capture modules' state as JSON text, for the node's stats and health routes (which know
/// neither ingest nor the writer).

#include <string>

#include "ingest/ingest_service.h"
#include "writer/writer.h"

namespace homer::writer {

/// {"ingest": {received, decoded, dropped{reason}, queue...}, "writer": {...}}; `ingest` may be null.
std::string CaptureStatsJson(const ingest::IngestService* ingest, const Writer& writer);

/// {"status": "ok"|"failing", "last_flush_error", "buffered_rows", ...}
std::string WriterHealthJson(const Writer& writer);

}  // namespace homer::writer
