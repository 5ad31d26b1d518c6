// Command grafana-flightsql-client makes the Flight SQL calls of Grafana's FlightSQL datasource
// (grafana/flightsql-datasource, arrow-go client) against a server and prints what it got as
// one JSON report on stdout, for the integration tests to assert on.
//
// The calls, in Grafana's order and form:
//   - connect: insecure gRPC; configured metadata pairs; a token becomes
//     "authorization: Bearer <token>", a user/password does the Basic handshake
//     (AuthenticateBasicToken on a bare context) and the bearer it returns joins the metadata.
//   - health (CheckHealth): Execute("select 1"), exactly one endpoint, DoGet of endpoint 0.
//   - sqlinfo (resource /flightsql/sql-info): GetSqlInfo with no ids (all of them), DoGet of
//     endpoint 0; the query editor then takes rows 17..21 of the value column as keywords and
//     the numeric, string, system and datetime function lists.
//   - tables (/flightsql/tables): GetTables with types ["BASE TABLE", "table"]; the editor
//     takes column 2 (table_name).
//   - columns (/flightsql/columns?table=T): GetTables with the table name pattern and
//     IncludeSchema; row 0 of the first batch, table_schema read as a string and decoded with
//     flight.DeserializeSchema.
//   - query (QueryData): Execute(sql), exactly one endpoint, DoGet of endpoint 0.
//   - latency (bench/flightsql.py, not Grafana): -calls health checks, p50 and p99.
//
// Every call carries the metadata on its outgoing context, as Grafana does.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// The query editor's fixed positions in the GetSqlInfo result (QueryEditor.tsx).
var editorPositions = []struct {
	name     string
	position int
}{
	{"keywords", 17}, {"numeric_functions", 18}, {"string_functions", 19},
	{"system_functions", 20}, {"datetime_functions", 21},
}

type pairs []string

func (p *pairs) String() string     { return strings.Join(*p, ",") }
func (p *pairs) Set(v string) error { *p = append(*p, v); return nil }

type options struct {
	addr, user, password, token string
	metadata                     pairs
	steps                        []string
	table, sql                   string
	timeout                      time.Duration
	calls                        int
}

func main() {
	var o options
	var mode string
	flag.StringVar(&o.addr, "addr", "127.0.0.1:50055", "host:port of the Flight SQL server")
	flag.StringVar(&o.user, "user", "", "username for the Basic handshake")
	flag.StringVar(&o.password, "password", "", "password for the Basic handshake (the node token)")
	flag.StringVar(&o.token, "token", "", "bearer token sent as metadata (Grafana's token auth)")
	flag.Var(&o.metadata, "metadata", "extra metadata pair key=value (repeatable)")
	flag.StringVar(&mode, "mode", "health,sqlinfo,tables,columns,query", "comma-separated steps to run")
	flag.StringVar(&o.table, "table", "hep_proto_1_call", "table name pattern for the columns step")
	flag.StringVar(&o.sql, "sql", "", "statement for the query step")
	flag.DurationVar(&o.timeout, "timeout", 30*time.Second, "per-step timeout (Grafana's resource calls use 30s)")
	flag.IntVar(&o.calls, "calls", 1000, "round trips timed by the latency step")
	flag.Parse()
	o.steps = strings.Split(mode, ",")

	report, failed := run(o)
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(report); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if failed {
		os.Exit(1)
	}
}

// run connects, then runs each step; a step's error is recorded in its own section and the
// next step still runs (except after a failed connect, as Grafana then has no datasource).
func run(o options) (map[string]any, bool) {
	report := map[string]any{}
	failed := false
	cl, md, err := connect(o)
	if err != nil {
		report["connect"] = map[string]any{"error": errorJSON(err)}
		return report, true
	}
	defer cl.Close()
	report["connect"] = map[string]any{"metadata_keys": sortedKeys(md)}

	steps := map[string]func(context.Context, *flightsql.Client, options) (map[string]any, error){
		"health": health, "sqlinfo": sqlInfo, "tables": tables, "columns": columns, "query": query,
		"latency": latency,
	}
	for _, name := range o.steps {
		step, ok := steps[name]
		if !ok {
			report[name] = map[string]any{"error": map[string]any{"code": "Usage", "message": "unknown step"}}
			failed = true
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
		ctx = metadata.NewOutgoingContext(ctx, md)
		out, err := step(ctx, cl, o)
		cancel()
		if out == nil {
			out = map[string]any{}
		}
		if err != nil {
			out["error"] = errorJSON(err)
			failed = true
		}
		report[name] = out
	}
	return report, failed
}

func connect(o options) (*flightsql.Client, metadata.MD, error) {
	cl, err := flightsql.NewClient(o.addr, nil, nil, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, nil, err
	}
	md := metadata.MD{}
	for _, p := range o.metadata {
		k, v, _ := strings.Cut(p, "=")
		if _, dup := md[strings.ToLower(k)]; !dup && k != "" {
			md.Set(k, v)
		}
	}
	if o.token != "" {
		md.Set("Authorization", "Bearer "+o.token)
	}
	if o.user != "" || o.password != "" {
		// Grafana authenticates once, on a context without its metadata.
		ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
		defer cancel()
		authCtx, err := cl.Client.AuthenticateBasicToken(ctx, o.user, o.password)
		if err != nil {
			cl.Close()
			return nil, nil, err
		}
		authMD, _ := metadata.FromOutgoingContext(authCtx)
		md = metadata.Join(md, authMD)
	}
	return cl, md, nil
}

// health is Grafana's CheckHealth: the query path with "select 1".
func health(ctx context.Context, cl *flightsql.Client, _ options) (map[string]any, error) {
	return runQuery(ctx, cl, "select 1")
}

// latency times o.calls health checks (Execute + DoGet of endpoint 0 + reading the rows), after
// 20 to warm up, for bench/flightsql.py: p50 and p99 in milliseconds.
func latency(ctx context.Context, cl *flightsql.Client, o options) (map[string]any, error) {
	times := make([]float64, 0, o.calls)
	for i := 0; i < o.calls+20; i++ {
		start := time.Now()
		if _, err := runQuery(ctx, cl, "select 1"); err != nil {
			return nil, err
		}
		if i >= 20 {
			times = append(times, float64(time.Since(start).Nanoseconds())/1e6)
		}
	}
	slices.Sort(times)
	return map[string]any{"calls": len(times), "p50_ms": times[len(times)/2], "p99_ms": times[len(times)*99/100-1]}, nil
}

func query(ctx context.Context, cl *flightsql.Client, o options) (map[string]any, error) {
	return runQuery(ctx, cl, o.sql)
}

// runQuery is Grafana's query(): one endpoint only, DoGet on the raw Flight client so the
// response headers can be read after the first message.
func runQuery(ctx context.Context, cl *flightsql.Client, sql string) (map[string]any, error) {
	info, err := cl.Execute(ctx, sql)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"endpoints": len(info.Endpoint)}
	if len(info.Endpoint) != 1 {
		return out, fmt.Errorf("unsupported endpoint count in response: %d", len(info.Endpoint))
	}
	stream, err := cl.Client.DoGet(ctx, info.Endpoint[0].Ticket)
	if err != nil {
		return out, err
	}
	headers := &headerCapture{stream: stream}
	reader, err := flight.NewRecordReader(headers, ipc.WithAllocator(cl.Alloc))
	if err != nil {
		return out, err
	}
	defer reader.Release()
	out["schema"] = fieldsJSON(reader.Schema())
	rows, batches, err := readRows(reader)
	out["rows"], out["batches"] = rows, batches
	out["header_keys"] = sortedKeys(headers.header)
	return out, err
}

// headerCapture reads the stream's response headers on the first message, as Grafana's
// DoGetWithHeaderExtraction does.
type headerCapture struct {
	stream flight.FlightService_DoGetClient
	header metadata.MD
	done   bool
}

func (h *headerCapture) Recv() (*flight.FlightData, error) {
	data, err := h.stream.Recv()
	if !h.done {
		h.done = true
		h.header, _ = h.stream.Header()
	}
	return data, err
}

// endpointZero is how Grafana reads a metadata call's answer: DoGet of endpoint 0 only.
func endpointZero(ctx context.Context, cl *flightsql.Client, info *flight.FlightInfo, err error) (map[string]any, *flight.Reader, error) {
	if err != nil {
		return nil, nil, err
	}
	out := map[string]any{"endpoints": len(info.Endpoint)}
	reader, err := cl.DoGet(ctx, info.Endpoint[0].Ticket)
	return out, reader, err
}

func sqlInfo(ctx context.Context, cl *flightsql.Client, _ options) (map[string]any, error) {
	info, err := cl.GetSqlInfo(ctx, []flightsql.SqlInfo{})
	out, reader, err := endpointZero(ctx, cl, info, err)
	if err != nil {
		return out, err
	}
	defer reader.Release()
	out["schema"] = fieldsJSON(reader.Schema())

	var ids []uint32
	var values []any
	for reader.Next() {
		rec := reader.RecordBatch()
		names, ok := rec.Column(0).(*array.Uint32)
		if !ok {
			return out, fmt.Errorf("info_name is %s, not uint32", rec.Column(0).DataType())
		}
		union, ok := rec.Column(1).(*array.DenseUnion)
		if !ok {
			return out, fmt.Errorf("value is %s, not a dense union", rec.Column(1).DataType())
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			v, err := unionValue(union, i)
			if err != nil {
				return out, fmt.Errorf("row %d (info_name %d): %w", len(ids), names.Value(i), err)
			}
			ids = append(ids, names.Value(i))
			values = append(values, v)
		}
	}
	if err := streamErr(reader); err != nil {
		return out, err
	}
	out["ids"] = ids

	// What the editor gets at each fixed position, and whether it is the list it expects.
	editor := map[string]any{}
	var problems []string
	for _, p := range editorPositions {
		if p.position >= len(values) {
			editor[p.name] = map[string]any{"position": p.position}
			problems = append(problems, fmt.Sprintf("%s: no row %d", p.name, p.position))
			continue
		}
		entry := map[string]any{"position": p.position, "info_name": ids[p.position], "value": values[p.position]}
		if _, isList := values[p.position].([]string); !isList {
			problems = append(problems, fmt.Sprintf("%s: row %d is info_name %d (%T), not a string list",
				p.name, p.position, ids[p.position], values[p.position]))
		}
		editor[p.name] = entry
	}
	out["editor"] = editor
	// The same lists by id, to tell a wrong position from a wrong value.
	byID := map[string]any{}
	for i, id := range ids {
		if id >= uint32(flightsql.SqlInfoKeywords) && id <= uint32(flightsql.SqlInfoDateTimeFunctions) {
			byID[fmt.Sprint(id)] = values[i]
		}
	}
	out["lists_by_id"] = byID
	if len(problems) > 0 {
		return out, &editorError{problems}
	}
	return out, nil
}

type editorError struct{ problems []string }

func (e *editorError) Error() string {
	return "query editor's fixed GetSqlInfo positions 17..21 are not the lists 508..512: " +
		strings.Join(e.problems, "; ")
}

// unionValue decodes one GetSqlInfo value the way Grafana's frame conversion does: through
// scalar.GetScalar and the union's child value.
func unionValue(union *array.DenseUnion, i int) (any, error) {
	sc, err := scalar.GetScalar(union, i)
	if err != nil {
		return nil, err
	}
	du, ok := sc.(*scalar.DenseUnion)
	if !ok {
		return nil, fmt.Errorf("scalar is %T", sc)
	}
	switch v := du.ChildValue().(type) {
	case *scalar.String:
		return v.String(), nil
	case *scalar.Boolean:
		return v.Value, nil
	case *scalar.Int32:
		return v.Value, nil
	case *scalar.Int64:
		return v.Value, nil
	case *scalar.List:
		items, ok := v.Value.(*array.String)
		if !ok {
			return nil, fmt.Errorf("list of %s, not utf8", v.Value.DataType())
		}
		list := make([]string, items.Len())
		for j := range list {
			list[j] = items.Value(j)
		}
		return list, nil
	case *scalar.Map:
		return map[string]any{"map_entries": v.Value.Len()}, nil
	default:
		return nil, fmt.Errorf("unexpected union arm %s", du.ChildValue().DataType())
	}
}

func tables(ctx context.Context, cl *flightsql.Client, _ options) (map[string]any, error) {
	info, err := cl.GetTables(ctx, &flightsql.GetTablesOpts{TableTypes: []string{"BASE TABLE", "table"}})
	out, reader, err := endpointZero(ctx, cl, info, err)
	if err != nil {
		return out, err
	}
	defer reader.Release()
	out["schema"] = fieldsJSON(reader.Schema())
	rows, _, err := readRows(reader)
	out["rows"] = rows
	// The editor's table list: column 2 of every row.
	names := []any{}
	for _, r := range rows {
		if len(r) > 2 {
			names = append(names, r[2])
		}
	}
	out["editor_tables"] = names
	return out, err
}

func columns(ctx context.Context, cl *flightsql.Client, o options) (map[string]any, error) {
	table := o.table
	info, err := cl.GetTables(ctx, &flightsql.GetTablesOpts{TableNameFilterPattern: &table, IncludeSchema: true})
	out, reader, err := endpointZero(ctx, cl, info, err)
	if err != nil {
		return out, err
	}
	defer reader.Release()
	if !reader.Next() {
		if err := streamErr(reader); err != nil {
			return out, err
		}
		return out, errors.New("table not found")
	}
	rec := reader.RecordBatch()
	rec.Retain()
	defer rec.Release()
	reader.Next()
	if err := streamErr(reader); err != nil {
		return out, err
	}
	out["schema"] = fieldsJSON(rec.Schema())
	out["first_batch_rows"] = rec.NumRows()
	// Which table row 0 (the one Grafana shows) is.
	out["row0"] = []any{cellValue(rec.Column(0), 0), cellValue(rec.Column(1), 0), cellValue(rec.Column(2), 0)}

	idx := rec.Schema().FieldIndices("table_schema")
	if len(idx) == 0 {
		return out, errors.New("table_schema field not found")
	}
	// Grafana reads the binary column through a string view.
	serialized := array.NewStringData(rec.Column(idx[0]).Data()).Value(0)
	schema, err := flight.DeserializeSchema([]byte(serialized), memory.DefaultAllocator)
	if err != nil {
		return out, err
	}
	out["columns"] = fieldsJSON(schema)
	return out, nil
}

// readRows reads every batch into rows of JSON-ready cells.
func readRows(reader *flight.Reader) ([][]any, int, error) {
	rows := [][]any{}
	batches := 0
	for reader.Next() {
		rec := reader.RecordBatch()
		batches++
		for i := 0; i < int(rec.NumRows()); i++ {
			row := make([]any, rec.NumCols())
			for c := range row {
				row[c] = cellValue(rec.Column(c), i)
			}
			rows = append(rows, row)
		}
	}
	return rows, batches, streamErr(reader)
}

func streamErr(reader *flight.Reader) error {
	if err := reader.Err(); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// cellValue renders timestamps as RFC 3339 in UTC (with their zone when they have one) and
// everything else as arrow-go marshals it to JSON.
func cellValue(col arrow.Array, i int) any {
	if col.IsNull(i) {
		return nil
	}
	if ts, ok := col.(*array.Timestamp); ok {
		unit := ts.DataType().(*arrow.TimestampType).Unit
		return ts.Value(i).ToTime(unit).UTC().Format(time.RFC3339Nano)
	}
	return col.GetOneForMarshal(i)
}

func fieldsJSON(schema *arrow.Schema) []map[string]any {
	out := []map[string]any{}
	for _, f := range schema.Fields() {
		field := map[string]any{"name": f.Name, "type": f.Type.String(), "nullable": f.Nullable}
		if f.HasMetadata() {
			meta := map[string]string{}
			for i, k := range f.Metadata.Keys() {
				meta[k] = f.Metadata.Values()[i]
			}
			field["metadata"] = meta
		}
		out = append(out, field)
	}
	return out
}

// errorJSON gives the gRPC code of a server error; errors the client itself raised (as Grafana
// would) get the code "Client".
func errorJSON(err error) map[string]any {
	if st, ok := status.FromError(err); ok {
		return map[string]any{"code": st.Code().String(), "message": st.Message()}
	}
	return map[string]any{"code": "Client", "message": err.Error()}
}

func sortedKeys(md metadata.MD) []string {
	keys := []string{}
	for k := range md {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
