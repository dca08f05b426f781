@testable import ConsentStore
import Testing

@Suite struct SQLScriptTests {
    @Test func splitsOnSemicolonsAndDropsEmptyAndCommentOnlyStatements() {
        let sql = "CREATE TABLE a (id int);\n\n-- a comment; with a semicolon\nCREATE TABLE b (id int);\n;\n-- trailing comment\n"
        #expect(SQLScript.statements(in: sql) == ["CREATE TABLE a (id int)", "-- a comment; with a semicolon\nCREATE TABLE b (id int)"])
    }

    @Test func keepsSemicolonsInsideStringsIdentifiersAndComments() {
        let sql = #"INSERT INTO t VALUES ('a;b', 'it''s; fine', E'back\';slash'); SELECT "odd;name" FROM t /* x; /* nested; */ y; */ WHERE 1=1; SELECT 2"#
        #expect(SQLScript.statements(in: sql) == [
            #"INSERT INTO t VALUES ('a;b', 'it''s; fine', E'back\';slash')"#,
            #"SELECT "odd;name" FROM t /* x; /* nested; */ y; */ WHERE 1=1"#,
            "SELECT 2",
        ])
    }

    @Test func keepsDollarQuotedFunctionBodiesWhole() {
        let sql = """
            CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'no; never';
            END;
            $$;
            CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$;
            SELECT $1
            """
        let statements = SQLScript.statements(in: sql)
        #expect(statements.count == 3)
        #expect(statements[0].hasSuffix("END;\n$$"))
        #expect(statements[1] == "CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$")
        #expect(statements[2] == "SELECT $1")
    }
}
