# Locates every dependency. DuckDB and Arrow come from scripts/bootstrap.sh's .deps/ folder
# (npm libduckdb + the pyarrow wheel); the rest from Debian packages.
set(HOMER_NODE_DEPS_DIR "${CMAKE_SOURCE_DIR}/.deps" CACHE PATH "Folder filled by scripts/bootstrap.sh")
option(HOMER_NODE_SYSTEM_ARROW "Use an installed Arrow C++ (find_package) instead of the pyarrow wheel" OFF)

# DuckDB: libduckdb.so and duckdb.h, C API only.
find_library(DUCKDB_LIBRARY duckdb PATHS "${HOMER_NODE_DEPS_DIR}/duckdb/lib" NO_DEFAULT_PATH REQUIRED)
add_library(duckdb SHARED IMPORTED GLOBAL)
set_target_properties(duckdb PROPERTIES
  IMPORTED_LOCATION "${DUCKDB_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${HOMER_NODE_DEPS_DIR}/duckdb/include")

# Arrow C++ with Flight.
if(HOMER_NODE_SYSTEM_ARROW)
  find_package(ArrowFlight REQUIRED)
  add_library(arrow_deps INTERFACE)
  target_link_libraries(arrow_deps INTERFACE ArrowFlight::arrow_flight_shared Arrow::arrow_shared)
else()
  set(_arrow "${HOMER_NODE_DEPS_DIR}/arrow")
  foreach(_lib arrow arrow_flight)
    find_library(_path_${_lib} ${_lib} PATHS "${_arrow}/lib" NO_DEFAULT_PATH REQUIRED)
    add_library(${_lib}_wheel SHARED IMPORTED GLOBAL)
    set_target_properties(${_lib}_wheel PROPERTIES IMPORTED_LOCATION "${_path_${_lib}}")
  endforeach()
  add_library(arrow_deps INTERFACE)
  target_include_directories(arrow_deps SYSTEM INTERFACE "${_arrow}/include")
  target_link_libraries(arrow_deps INTERFACE arrow_flight_wheel arrow_wheel)
endif()

set(CMAKE_BUILD_RPATH "${HOMER_NODE_DEPS_DIR}/duckdb/lib;${HOMER_NODE_DEPS_DIR}/arrow/lib")
set(CMAKE_INSTALL_RPATH "$ORIGIN/../lib")

find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(spdlog REQUIRED)
# SQLite (Debian): the writer keeps its DuckLake catalogs in WAL mode, so readers never block its
# commits; DuckDB's sqlite extension cannot switch the journal mode (it runs in a transaction).
find_package(SQLite3 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
find_package(GTest)
# msgpack-cxx (header-only; its CMake package is named msgpack, target msgpackc-cxx): the Airport
# protocol's action bodies.
find_package(msgpack CONFIG REQUIRED)
# Debian's protobuf compiles our proto/FlightSql.proto (Flight SQL commands). libarrow_flight keeps
# its own protobuf private (no exported protobuf symbols), so the two do not clash.
find_package(Protobuf REQUIRED)
