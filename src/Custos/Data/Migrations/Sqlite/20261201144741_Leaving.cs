using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Custos.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Leaving : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Departure",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    PersonId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    LastWorkingDay = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RecordedByName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    SuccessorId = table.Column<Guid>(type: "TEXT", nullable: true),
                    SuccessorConfirmedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    HeadConfirmedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    HeadConfirmedByName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    SuccessorRequests = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    AccessEndedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Statement = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    StatementAt = table.Column<long>(type: "INTEGER", nullable: true),
                    StatementSha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    StatementBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    StatementNote = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    CopiesEscalatedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ClosedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ClosedByName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Stamp = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Departure", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Departure_AspNetUsers_PersonId",
                        column: x => x.PersonId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "HandoverItem",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    DepartureId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Reference = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Label = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_HandoverItem", x => x.Id);
                    table.ForeignKey(
                        name: "FK_HandoverItem_Departure_DepartureId",
                        column: x => x.DepartureId,
                        principalTable: "Departure",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Departure_PersonId",
                table: "Departure",
                column: "PersonId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Departure_SuccessorId",
                table: "Departure",
                column: "SuccessorId");

            migrationBuilder.CreateIndex(
                name: "IX_HandoverItem_DepartureId",
                table: "HandoverItem",
                column: "DepartureId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "HandoverItem");

            migrationBuilder.DropTable(
                name: "Departure");
        }
    }
}
