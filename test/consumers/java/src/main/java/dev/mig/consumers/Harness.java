package dev.mig.consumers;

import com.alibaba.fastjson2.JSON;
import com.alibaba.fastjson2.JSONArray;
import com.alibaba.fastjson2.JSONObject;
import com.alibaba.otter.canal.protocol.FlatMessage;
import java.io.File;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.formats.json.canal.CanalJsonFormatFactory;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.connector.source.ScanRuntimeProviderContext;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;
import org.apache.flink.table.types.utils.TypeConversions;
import org.apache.flink.util.Collector;

/**
 * Decodes mig's Kafka messages with the consumers' own code and writes what each decoded, one JSON
 * object per line, for the TypeScript conformance tests to compare with the source rows.
 *
 * <p>Usage: Harness REQUEST.json OUT.jsonl. The request holds base64 message values per consumer:
 * {"flink": {"columns": [{"name", "type"}], "messages": [...]}, "canal": {"messages": [...]},
 * "avro": {"schema": "path/to/Record.avsc", "messages": [...]}}. Every part is optional. A message a
 * consumer rejects gives a line with "error" instead of failing the run. The results go to a file,
 * not stdout, because the consumers' logging writes to the console.
 */
public final class Harness {
  /** The DTS subscription SDK's ObjectType constants: a BinaryObject's type goes through valueOf. */
  static final Set<String> DTS_OBJECT_TYPES = Set.of("BINARY", "BOOL", "BLOB", "XML", "JSON", "TEXT", "BFILE",
      "RAW", "LONG_RAW", "ROWID", "UROWID", "ENUM", "SET", "BYTEA", "GEOMETRY", "XTYPE", "UUID");

  public static void main(String[] args) throws Exception {
    JSONObject req = JSON.parseObject(Files.readString(new File(args[0]).toPath()));
    try (PrintWriter out = new PrintWriter(args[1], StandardCharsets.UTF_8)) {
      if (req.containsKey("flink")) flink(req.getJSONObject("flink"), out);
      if (req.containsKey("canal")) canal(req.getJSONObject("canal"), out);
      if (req.containsKey("avro")) avro(req.getJSONObject("avro"), out);
    }
  }

  static byte[] b64(Object s) {
    return Base64.getDecoder().decode((String) s);
  }

  static String error(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) sb.append(sb.length() > 0 ? " <- " : "").append(t);
    return sb.toString();
  }

  // ------------------------------------------------------------------ Flink canal-json

  static final List<String> FLINK_METADATA = List.of("database", "table", "sql-type", "pk-names", "ingestion-timestamp", "event-timestamp");

  static void flink(JSONObject part, PrintWriter out) throws Exception {
    JSONArray cols = part.getJSONArray("columns");
    List<RowType.RowField> fields = new ArrayList<>();
    for (int i = 0; i < cols.size(); i++) {
      JSONObject c = cols.getJSONObject(i);
      LogicalType t = LogicalTypeParser.parse(c.getString("type"), Harness.class.getClassLoader());
      fields.add(new RowType.RowField(c.getString("name"), t));
    }
    RowType physical = new RowType(fields);
    DataType physicalType = TypeConversions.fromLogicalToDataType(physical);

    // As a Flink table with 'format' = 'canal-json' builds its decoder: the factory, then the metadata
    // columns the table declares, then the runtime decoder for the physical row.
    Configuration options = new Configuration();
    DecodingFormat<DeserializationSchema<RowData>> format = new CanalJsonFormatFactory().createDecodingFormat(null, options);
    format.applyReadableMetadata(FLINK_METADATA);
    DeserializationSchema<RowData> schema = format.createRuntimeDecoder(ScanRuntimeProviderContext.INSTANCE, physicalType);
    // What a Flink source task does before the first record.
    schema.open(new DeserializationSchema.InitializationContext() {
      public org.apache.flink.metrics.MetricGroup getMetricGroup() { return new org.apache.flink.metrics.groups.UnregisteredMetricsGroup(); }
      public org.apache.flink.util.UserCodeClassLoader getUserCodeClassLoader() { return org.apache.flink.util.SimpleUserCodeClassLoader.create(Harness.class.getClassLoader()); }
    });
    List<LogicalType> metaTypes = new ArrayList<>();
    for (String k : FLINK_METADATA) metaTypes.add(format.listReadableMetadata().get(k).getLogicalType());

    JSONArray messages = part.getJSONArray("messages");
    for (int i = 0; i < messages.size(); i++) {
      List<RowData> rows = new ArrayList<>();
      JSONObject line = new JSONObject();
      line.put("consumer", "flink");
      line.put("index", i);
      try {
        schema.deserialize(b64(messages.get(i)), new Collector<RowData>() {
          public void collect(RowData r) { rows.add(r); }
          public void close() {}
        });
        JSONArray decoded = new JSONArray();
        for (RowData r : rows) {
          JSONObject row = new JSONObject();
          row.put("kind", r.getRowKind().shortString());
          JSONObject values = new JSONObject();
          for (int f = 0; f < fields.size(); f++) values.put(fields.get(f).getName(), flinkValue(r, f, fields.get(f).getType()));
          row.put("values", values);
          JSONObject meta = new JSONObject();
          for (int m = 0; m < FLINK_METADATA.size(); m++) meta.put(FLINK_METADATA.get(m), flinkValue(r, fields.size() + m, metaTypes.get(m)));
          row.put("metadata", meta);
          decoded.add(row);
        }
        line.put("rows", decoded);
      } catch (Throwable e) {
        line.put("error", error(e));
      }
      out.println(line.toJSONString());
    }
  }

  /** A Flink internal value as text: the form the comparison in TypeScript expects. */
  static Object flinkValue(RowData r, int pos, LogicalType t) {
    if (r.isNullAt(pos)) return null;
    Object v = RowData.createFieldGetter(t, pos).getFieldOrNull(r);
    return flinkObject(v, t);
  }

  static Object flinkObject(Object v, LogicalType t) {
    if (v == null) return null;
    LogicalTypeRoot root = t.getTypeRoot();
    switch (root) {
      case DATE:
        return LocalDate.ofEpochDay((Integer) v).toString();
      case TIMESTAMP_WITHOUT_TIME_ZONE:
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE: {
        int p = root == LogicalTypeRoot.TIMESTAMP_WITHOUT_TIME_ZONE
            ? ((org.apache.flink.table.types.logical.TimestampType) t).getPrecision()
            : ((org.apache.flink.table.types.logical.LocalZonedTimestampType) t).getPrecision();
        LocalDateTime ldt = ((TimestampData) v).toLocalDateTime();
        return ldt.format(DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss" + (p > 0 ? "." + "S".repeat(p) : "")));
      }
      case DECIMAL:
        return ((DecimalData) v).toBigDecimal().toPlainString();
      case FLOAT:
      case DOUBLE:
        return new BigDecimal(v.toString()).toString();
      case VARBINARY:
      case BINARY:
        return HexFormat.of().formatHex((byte[]) v);
      case ARRAY: {
        LogicalType et = t.getChildren().get(0);
        ArrayData a = (ArrayData) v;
        JSONArray arr = new JSONArray();
        ArrayData.ElementGetter g = ArrayData.createElementGetter(et);
        for (int i = 0; i < a.size(); i++) arr.add(flinkObject(g.getElementOrNull(a, i), et));
        return arr;
      }
      case MAP: {
        LogicalType kt = t.getChildren().get(0);
        LogicalType vt = t.getChildren().get(1);
        MapData m = (MapData) v;
        ArrayData.ElementGetter kg = ArrayData.createElementGetter(kt);
        ArrayData.ElementGetter vg = ArrayData.createElementGetter(vt);
        Map<String, Object> obj = new LinkedHashMap<>();
        for (int i = 0; i < m.size(); i++) obj.put(String.valueOf(flinkObject(kg.getElementOrNull(m.keyArray(), i), kt)), flinkObject(vg.getElementOrNull(m.valueArray(), i), vt));
        return obj;
      }
      default:
        return v instanceof StringData ? v.toString() : v.toString();
    }
  }

  // ------------------------------------------------------------------ Canal FlatMessage

  static void canal(JSONObject part, PrintWriter out) {
    JSONArray messages = part.getJSONArray("messages");
    for (int i = 0; i < messages.size(); i++) {
      JSONObject line = new JSONObject();
      line.put("consumer", "canal");
      line.put("index", i);
      try {
        // As Canal's Kafka client (KafkaCanalConnector with flatMessage) reads a record's value.
        FlatMessage m = JSON.parseObject(new String(b64(messages.get(i)), StandardCharsets.UTF_8), FlatMessage.class);
        JSONObject fm = new JSONObject();
        fm.put("id", m.getId());
        fm.put("database", m.getDatabase());
        fm.put("table", m.getTable());
        fm.put("pkNames", m.getPkNames());
        fm.put("isDdl", m.getIsDdl());
        fm.put("type", m.getType());
        fm.put("es", m.getEs());
        fm.put("ts", m.getTs());
        fm.put("sql", m.getSql());
        fm.put("sqlType", m.getSqlType());
        fm.put("mysqlType", m.getMysqlType());
        fm.put("data", m.getData());
        fm.put("old", m.getOld());
        line.put("message", fm);
      } catch (Throwable e) {
        line.put("error", error(e));
      }
      out.println(line.toJSONString());
    }
  }

  // ------------------------------------------------------------------ DTS Avro

  static void avro(JSONObject part, PrintWriter out) throws Exception {
    Schema schema = new Schema.Parser().parse(new File(part.getString("schema")));
    GenericDatumReader<GenericRecord> reader = new GenericDatumReader<>(schema);
    JSONArray messages = part.getJSONArray("messages");
    for (int i = 0; i < messages.size(); i++) {
      JSONObject line = new JSONObject();
      line.put("consumer", "avro");
      line.put("index", i);
      try {
        GenericRecord r = reader.read(null, DecoderFactory.get().binaryDecoder(b64(messages.get(i)), null));
        JSONObject rec = new JSONObject();
        rec.put("operation", r.get("operation").toString());
        rec.put("objectName", r.get("objectName") == null ? null : r.get("objectName").toString());
        Object fields = r.get("fields");
        JSONArray fl = new JSONArray();
        if (fields instanceof List<?> list) {
          for (Object f : list) {
            GenericRecord fr = (GenericRecord) f;
            JSONObject fo = new JSONObject();
            fo.put("name", fr.get("name").toString());
            fo.put("dataTypeNumber", fr.get("dataTypeNumber"));
            fl.add(fo);
          }
        }
        rec.put("fields", fl);
        List<String> problems = new ArrayList<>();
        rec.put("beforeImages", images(r.get("beforeImages"), problems));
        rec.put("afterImages", images(r.get("afterImages"), problems));
        if (r.get("afterImages") instanceof CharSequence s) rec.put("ddl", s.toString());
        rec.put("sdkProblems", problems);
        line.put("record", rec);
      } catch (Throwable e) {
        line.put("error", error(e));
      }
      out.println(line.toJSONString());
    }
  }

  static Object images(Object images, List<String> problems) {
    if (!(images instanceof List<?> list)) return null;
    JSONArray arr = new JSONArray();
    for (Object v : list) arr.add(imageValue(v, problems));
    return arr;
  }

  /** One image value: its union branch and its fields as the SDK's value classes read them. */
  static JSONObject imageValue(Object v, List<String> problems) {
    JSONObject o = new JSONObject();
    if (v == null) {
      o.put("branch", "null");
      return o;
    }
    if (v instanceof GenericEnumSymbol<?> e) {
      o.put("branch", e.getSchema().getName());
      o.put("symbol", e.toString());
      return o;
    }
    GenericRecord r = (GenericRecord) v;
    String branch = r.getSchema().getName();
    o.put("branch", branch);
    for (Schema.Field f : r.getSchema().getFields()) {
      Object x = r.get(f.name());
      if (x instanceof java.nio.ByteBuffer bb) {
        byte[] b = new byte[bb.remaining()];
        bb.duplicate().get(b);
        o.put(f.name(), HexFormat.of().formatHex(b));
      } else {
        o.put(f.name(), x == null ? null : x instanceof CharSequence ? x.toString() : x);
      }
    }
    if (branch.equals("Character")) {
      // The SDK's StringValue decodes the bytes in the column's charset.
      String cs = o.getString("charset");
      Charset charset = cs == null || cs.startsWith("utf8") ? StandardCharsets.UTF_8 : Charset.forName(cs);
      o.put("text", new String(HexFormat.of().parseHex(o.getString("value")), charset));
    }
    if (branch.equals("BinaryObject")) {
      String type = o.getString("type");
      if (!DTS_OBJECT_TYPES.contains(type)) problems.add("No enum constant ObjectType." + type);
    }
    return o;
  }

  private Harness() {}

  static { GenericData.get(); }
}
