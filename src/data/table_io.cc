#include "data/table_io.h"

#include "data/csv_reader.h"
#include "data/csv_writer.h"
#include "data/ucol.h"

namespace upcamp {

Result<Table> ReadTableFile(const std::string& path, const TableReadOptions& options,
                            const Context& ctx) {
  if (IsUcolPath(path)) {
    UcolReadOptions o;
    o.columns = options.columns;
    o.threads = ctx.threads;
    return ReadUcol(path, o);
  }
  CsvReadOptions o;
  o.columns = options.columns;
  o.schema = options.schema;
  o.threads = ctx.threads;
  if (!ctx.quiet) o.progress_label = options.progress_label;
  return ReadCsv(path, o);
}

Status WriteTableFile(const Table& table, const std::string& path, const Context& ctx) {
  if (IsUcolPath(path)) {
    UcolWriteOptions o;
    o.threads = ctx.threads;
    return WriteUcol(table, path, o);
  }
  CsvWriteOptions o;
  o.threads = ctx.threads;
  return WriteCsv(table, path, o);
}

}  // namespace upcamp
