"""A DuckDB Airport client in Python, for tests: it speaks to the node exactly as the Airport
extension's C++ client does (Query-farm/airport), so the server is tested against the client's
decoding rules, not against its own encoder.

Source of each rule:
  - requests: one msgpack map with string keys packed like msgpack-cxx MSGPACK_DEFINE_MAP, where
    a std::string is a msgpack *str* even when it holds protobuf bytes (use_bin_type=False);
    only the first Result of a DoAction is read (airport_rpc.cpp AirportCallAction);
  - list_schemas: [uint32 length, zstd data] -> msgpack root {contents, schemas, version_info};
    each schema's contents.serialized must hash (SHA-256, lowercase hex) to contents.sha256, and
    is again [length, zstd(msgpack [FlightInfo bytes...])]; each FlightInfo's app_metadata is
    msgpack {type, schema, catalog, name, comment, ...}; catalog must equal the catalog name
    sent and schema the schema's name (storage/airport_catalog_api.cpp);
  - endpoints: {descriptor, parameters: {json_filters, column_ids, table_function_parameters,
    table_function_input_schema, at_unit, at_value}} -> msgpack list of FlightEndpoint bytes,
    each with at least one location (airport_take_flight.cpp);
  - flight_info: {descriptor, at_unit, at_value} -> FlightInfo bytes whose descriptor must
    equal the one sent, with a table's app_metadata as in list_schemas (the client builds a
    table entry from it: storage/airport_table_set.cpp);
  - column_statistics: {flight_descriptor, column_name, type} -> an Arrow IPC stream with
    min, max, has_not_null, has_null, distinct_count (airport_flight_statistics.cpp);
  - json_filters: DuckDB's own expression serialization, built here by the helpers below.
"""
import hashlib
import threading
import uuid

import msgpack
import pyarrow as pa
import pyarrow.flight as flight
import zstandard

ROWID = 2**64 - 1
NO_COLUMN = 2**64 - 2
USER_AGENT = b"airport/20250723"


def _unpack_compressed(payload):
    """AirportSerializedCompressedContent: MSGPACK_DEFINE(length, data) is an array."""
    length, data = msgpack.unpackb(payload, raw=True)
    assert isinstance(length, int) and 0 <= length < 2**32, length
    raw = zstandard.ZstdDecompressor().decompress(bytes(data), max_output_size=length)
    assert len(raw) == length, (len(raw), length)
    return raw


def _text(value):
    """A msgpack str/bin read into std::string."""
    if isinstance(value, bytes):
        return value.decode()
    assert isinstance(value, str), value
    return value


class Table:
    def __init__(self, info, metadata):
        self.info = info
        self.descriptor = info.descriptor
        self.schema = info.schema
        self.metadata = metadata

    @property
    def name(self):
        return self.metadata["name"]


class Catalog:
    def __init__(self, version, is_fixed, schemas, descriptions, defaults):
        self.version = version
        self.is_fixed = is_fixed
        self.schemas = schemas  # schema name -> {table name -> Table}
        self.descriptions = descriptions
        self.defaults = defaults


class AirportClient:
    def __init__(self, location, token, catalog="homer"):
        self.client = flight.FlightClient(location)
        self.catalog = catalog
        headers = [(b"airport-user-agent", USER_AGENT), (b"airport-client-session-id", str(uuid.uuid4()).encode())]
        if token:
            headers.append((b"authorization", b"Bearer " + token.encode()))
        self.options = flight.FlightCallOptions(headers=headers)

    def close(self):
        self.client.close()

    def call(self, name, params):
        body = msgpack.packb(params, use_bin_type=False)
        results = self.client.do_action(flight.Action(name, body), self.options)
        first = None
        for r in results:  # the client reads the first result and drains the rest
            if first is None:
                first = r.body.to_pybytes()
        assert first is not None, f"{name}: no result"
        return first

    def create_transaction(self):
        return msgpack.unpackb(self.call("create_transaction", {"catalog_name": self.catalog}), raw=False)

    def catalog_version(self):
        out = msgpack.unpackb(self.call("catalog_version", {"catalog_name": self.catalog}), raw=False)
        assert isinstance(out["catalog_version"], int) and isinstance(out["is_fixed"], bool), out
        return out

    def list_schemas(self):
        root = msgpack.unpackb(_unpack_compressed(self.call("list_schemas", {"catalog_name": self.catalog})), raw=False)
        contents = root["contents"]
        assert isinstance(contents["sha256"], str) and contents["sha256"], contents
        assert contents["url"] is None and contents["serialized"] is None, contents
        version = root["version_info"]
        assert isinstance(version["catalog_version"], int) and isinstance(version["is_fixed"], bool), version
        schemas, descriptions, defaults = {}, {}, {}
        for schema in root["schemas"]:
            name = _text(schema["name"])
            assert name and name not in schemas and name != "main", name
            assert isinstance(schema["description"], str)
            assert isinstance(schema["tags"], dict)
            source = schema["contents"]
            blob = source["serialized"]
            assert isinstance(blob, bytes), type(blob)
            assert hashlib.sha256(blob).hexdigest() == source["sha256"], "schema contents SHA-256 mismatch"
            tables = {}
            for info_bytes in msgpack.unpackb(_unpack_compressed(blob), raw=True):
                info = flight.FlightInfo.deserialize(info_bytes)
                if not info.app_metadata:
                    continue  # the client ignores flights without app_metadata
                meta = msgpack.unpackb(info.app_metadata, raw=False)
                assert meta["catalog"] == self.catalog, meta
                assert meta["schema"] == name, meta
                assert meta["type"] == "table", meta
                assert isinstance(meta["name"], str)
                assert meta.get("comment") is None or isinstance(meta["comment"], str)
                tables[meta["name"]] = Table(info, meta)
            schemas[name] = tables
            descriptions[name] = schema["description"]
            defaults[name] = schema.get("is_default", False)
        return Catalog(version["catalog_version"], version["is_fixed"], schemas, descriptions, defaults)

    def endpoints(self, table, column_ids, json_filters="", at_unit="", at_value=""):
        params = {"descriptor": table.descriptor.serialize(),
                  "parameters": {"json_filters": json_filters, "column_ids": list(column_ids),
                                 "table_function_parameters": "", "table_function_input_schema": "",
                                 "at_unit": at_unit, "at_value": at_value}}
        out = []
        for raw in msgpack.unpackb(self.call("endpoints", params), raw=True):
            endpoint = flight.FlightEndpoint.deserialize(raw)
            assert endpoint.locations, "the client requires a location"
            out.append(endpoint)
        return out

    def flight_info(self, table, at_unit="", at_value=""):
        body = self.call("flight_info", {"descriptor": table.descriptor.serialize(), "at_unit": at_unit,
                                         "at_value": at_value})
        info = flight.FlightInfo.deserialize(body)
        assert info.descriptor == table.descriptor, "descriptor must be echoed"
        metadata = msgpack.unpackb(info.app_metadata, raw=False)
        assert {k: metadata[k] for k in ("type", "schema", "name")} == {
            k: table.metadata[k] for k in ("type", "schema", "name")}, metadata
        return info

    def column_statistics(self, table, column, duck_type):
        body = self.call("column_statistics", {"flight_descriptor": table.descriptor.serialize(),
                                               "column_name": column, "type": duck_type})
        stats = pa.ipc.open_stream(body).read_all()
        for field in ("min", "max", "has_not_null", "has_null", "distinct_count"):
            assert field in stats.column_names, field
        assert stats.num_rows == 1
        return stats

    def scan(self, table, column_ids=None, json_filters="", at_unit="", at_value="", schema=None):
        """Every endpoint read in parallel, as DuckDB does; each DoGet must carry the full schema."""
        schema = schema or table.schema
        if column_ids is None:
            column_ids = list(range(len(schema)))
        endpoints = self.endpoints(table, column_ids, json_filters, at_unit, at_value)
        parts = [None] * len(endpoints)
        errors = []

        def read(i, endpoint):
            assert endpoint.locations[0].uri == b"arrow-flight-reuse-connection://?"
            try:
                parts[i] = self.client.do_get(endpoint.ticket, self.options).read_all()
            except Exception as e:  # noqa: BLE001 (re-raised below)
                errors.append(e)

        threads = [threading.Thread(target=read, args=(i, e)) for i, e in enumerate(endpoints)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        for part in parts:
            assert [(f.name, f.type) for f in part.schema] == [(f.name, f.type) for f in schema], \
                (part.schema, schema)
        return pa.concat_tables(parts) if parts else schema.empty_table(), len(endpoints)


# DuckDB's serialization of bound expressions (Expression::Serialize through the JSON
# serializer), as the client's pushdown_complex_filter writes them: constants are already folded.

NO_LOCATION = 18446744073709551615


class Filters:
    """Builds json_filters for a scan whose DuckDB column ids are `column_ids` over `schema`."""

    def __init__(self, schema, column_ids):
        self.names = ["rowid" if i == ROWID else schema.field(i).name for i in column_ids]

    def col(self, name, type_id):
        return {"expression_class": "BOUND_COLUMN_REF", "type": "BOUND_COLUMN_REF", "alias": name,
                "query_location": NO_LOCATION, "return_type": {"id": type_id, "type_info": None},
                "binding": {"table_index": 0, "column_index": self.names.index(name)}, "depth": 0}

    def json(self, *filters):
        import json
        return json.dumps({"filters": list(filters), "column_binding_names_by_index": self.names})


def const(type_id, value, type_info=None):
    return {"expression_class": "BOUND_CONSTANT", "type": "VALUE_CONSTANT", "alias": "", "query_location": NO_LOCATION,
            "value": {"type": {"id": type_id, "type_info": type_info}, "is_null": False, "value": value}}


def decimal_type(width, scale):
    return {"type": "DECIMAL_TYPE_INFO", "alias": "", "extension_info": None, "width": width, "scale": scale}


def cmp(op, left, right):
    return {"expression_class": "BOUND_COMPARISON", "type": f"COMPARE_{op}", "alias": "", "query_location": NO_LOCATION,
            "left": left, "right": right}


def conj(kind, *children):
    return {"expression_class": "BOUND_CONJUNCTION", "type": f"CONJUNCTION_{kind}", "alias": "",
            "query_location": NO_LOCATION, "children": list(children)}


def op(kind, *children):
    return {"expression_class": "BOUND_OPERATOR", "type": kind, "alias": "", "query_location": NO_LOCATION,
            "return_type": {"id": "BOOLEAN", "type_info": None}, "children": list(children)}


def between(x, lo, hi, lower_inclusive=True, upper_inclusive=True):
    return {"expression_class": "BOUND_BETWEEN", "type": "COMPARE_BETWEEN", "alias": "", "query_location": NO_LOCATION,
            "input": x, "lower": lo, "upper": hi, "lower_inclusive": lower_inclusive,
            "upper_inclusive": upper_inclusive}


def func(name, *children):
    return {"expression_class": "BOUND_FUNCTION", "type": "BOUND_FUNCTION", "alias": "", "query_location": NO_LOCATION,
            "return_type": {"id": "BOOLEAN", "type_info": None}, "children": list(children), "name": name,
            "arguments": [], "original_arguments": [], "has_serialize": False, "is_operator": False}


def cast(child, type_id, type_info=None, try_cast=False):
    return {"expression_class": "BOUND_CAST", "type": "OPERATOR_CAST", "alias": "", "query_location": NO_LOCATION,
            "child": child, "return_type": {"id": type_id, "type_info": type_info}, "try_cast": try_cast}
