#include "flight/ticket.h"

#include "flight/msgpack_util.h"

namespace homer::flight {
namespace {

constexpr std::string_view kMagic = "HNT";
constexpr char kVersion = '1';

}  // namespace

std::string EncodeTicket(const TicketContent& content) {
  mp::Writer w;
  w.Map(content.pin ? 3 : 2).Str("sql").Str(content.sql).Str("zstd").Bool(content.zstd);
  if (content.pin) w.Str("pin").Str(content.pin->Encode());
  return std::string(kMagic) + kVersion + w.Take();
}

arrow::Result<TicketContent> DecodeTicket(std::string_view ticket) {
  if (ticket.size() < kMagic.size() + 1 || ticket.substr(0, kMagic.size()) != kMagic) {
    return arrow::Status::Invalid("not a homer-node ticket: use the ticket of an endpoint from GetFlightInfo");
  }
  if (ticket[kMagic.size()] != kVersion) {
    return arrow::Status::Invalid("ticket format '", ticket[kMagic.size()], "' is not this node's format '",
                                  kVersion, "' (issued by another homer-node version): call GetFlightInfo again");
  }
  ARROW_ASSIGN_OR_RAISE(auto doc, mp::Document::Parse(ticket.substr(kMagic.size() + 1)));
  ARROW_ASSIGN_OR_RAISE(auto map, mp::MapReader::Make(doc.root(), "ticket"));
  TicketContent content;
  ARROW_ASSIGN_OR_RAISE(content.sql, map.String("sql"));
  if (content.sql.empty()) return arrow::Status::Invalid("ticket holds no statement");
  const msgpack::object* zstd = map.Find("zstd");
  content.zstd = zstd != nullptr && zstd->type == msgpack::type::BOOLEAN && zstd->via.boolean;
  if (map.Find("pin") != nullptr) {
    ARROW_ASSIGN_OR_RAISE(auto pin, map.String("pin"));
    ARROW_ASSIGN_OR_RAISE(content.pin, lake::SnapshotPin::Decode(pin));
  }
  return content;
}

}  // namespace homer::flight
