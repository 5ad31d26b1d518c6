#pragma once
/// \file
/// Naming and prioritising the capture threads: a receive or decode thread that falls behind
/// loses packets (counted, but lost), while a flush or a query that waits only takes longer.

namespace homer::ingest {

/// Name the calling thread (top, perf) and ask the kernel to favour it (nice -10). Without the
/// privilege (CAP_SYS_NICE) it keeps the default priority; the first refusal is logged.
void BecomeCaptureThread(const char* name);

}  // namespace homer::ingest
