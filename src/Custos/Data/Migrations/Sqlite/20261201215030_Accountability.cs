using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Custos.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Accountability : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AccountabilityEntries",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    Type = table.Column<int>(type: "INTEGER", nullable: false),
                    Ground = table.Column<int>(type: "INTEGER", nullable: false),
                    PersonId = table.Column<Guid>(type: "TEXT", nullable: true),
                    PersonName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    WhistleReportId = table.Column<Guid>(type: "TEXT", nullable: true),
                    IncidentNumber = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Amount = table.Column<int>(type: "INTEGER", nullable: true),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    ProposedById = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProposedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    ProposedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DecidedById = table.Column<Guid>(type: "TEXT", nullable: true),
                    DecidedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    DecidedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DecisionNote = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    LinkedToId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ClaimHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: true),
                    PaidAt = table.Column<long>(type: "INTEGER", nullable: true),
                    PaidBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Stamp = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountabilityEntries", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AccountabilityEntries_ClaimHash",
                table: "AccountabilityEntries",
                column: "ClaimHash",
                unique: true,
                filter: "\"ClaimHash\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_AccountabilityEntries_Number",
                table: "AccountabilityEntries",
                column: "Number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AccountabilityEntries_PersonId",
                table: "AccountabilityEntries",
                column: "PersonId");

            migrationBuilder.CreateIndex(
                name: "IX_AccountabilityEntries_Status_DecidedAt",
                table: "AccountabilityEntries",
                columns: new[] { "Status", "DecidedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AccountabilityEntries");
        }
    }
}
