// Airport tickets and action bodies (msgpack) against a real engine over a one-table lake: the
// first byte picks the action, the rest is its body (a ticket for the first choice).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "common/lake_catalog.h"
#include "flight/airport_actions.h"
#include "flight/ticket.h"
#include "testing/lake_fixture.h"

namespace {

struct Node {
  homer::testing::TempDir dir;
  std::unique_ptr<homer::engine::Engine> engine = homer::testing::OpenOneTableEngine(dir.path());
  homer::common::LakeCatalog catalog{engine.get()};
  homer::flight::AirportActions actions{engine.get(), &catalog, {}};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Node* node = new Node();  // one lake for the whole run
  if (!node->engine || size == 0) return 0;
  static const char* kActions[] = {"ticket", "create_transaction", "list_schemas", "catalog_version",
                                   "endpoints", "flight_info", "column_statistics"};
  const std::string type = kActions[data[0] % (sizeof(kActions) / sizeof(kActions[0]))];
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  if (type == "ticket") {
    (void)homer::flight::DecodeTicket(body);
  } else {
    (void)node->actions.Run(type, body, "homer");
  }
  return 0;
}
