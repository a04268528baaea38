using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Custos.Data.Migrations.Sqlite
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
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Rule = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Severity = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    PersonId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    PersonName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    RaisedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    Detail = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    Suspended = table.Column<bool>(type: "INTEGER", nullable: false),
                    HandledAt = table.Column<long>(type: "INTEGER", nullable: true),
                    HandledBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Note = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true)
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
