// The type-parity table without the types TiDB lacks (GEOMETRY, POINT, UUID, INET6): every column
// type a TiDB source can hold, as SQL.
import { typeTableSql } from '../../support/type-sql.js';

const TABLE = typeTableSql({ mariadbTypes: false });
export const TYPE_COLUMNS = TABLE.columns;
/** One row at the limits, one of ordinary values, one all NULL (needs sql_mode ALLOW_INVALID_DATES, time_zone UTC). */
export const TYPE_ROWS = TABLE.rows;
