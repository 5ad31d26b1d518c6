#pragma once
/// \file
/// Statuses marked with a fixed tag, so that a surface recognises a kind of failure (a refused
/// non-query, "too many queries") by the tag rather than by parsing its message. The mark is an
/// arrow::StatusDetail, which WithMessage keeps.

#include <arrow/status.h>

namespace homer::engine {

/// `status` with `mark` attached; `mark` must be a string literal.
arrow::Status WithMark(const arrow::Status& status, const char* mark);
bool HasMark(const arrow::Status& status, const char* mark);

}  // namespace homer::engine
