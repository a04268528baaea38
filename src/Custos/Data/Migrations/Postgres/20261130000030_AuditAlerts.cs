using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Custos.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AuditAlerts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AuditAlerts",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Rule = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Severity = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    PersonId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    PersonName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    RaisedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    Detail = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    Suspended = table.Column<bool>(type: "boolean", nullable: false),
                    HandledAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    HandledBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    Note = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditAlerts", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AuditAlerts_HandledAt",
                table: "AuditAlerts",
                column: "HandledAt");

            migrationBuilder.CreateIndex(
                name: "IX_AuditAlerts_Rule_PersonId_RaisedAt",
                table: "AuditAlerts",
                columns: new[] { "Rule", "PersonId", "RaisedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AuditAlerts");
        }
    }
}
