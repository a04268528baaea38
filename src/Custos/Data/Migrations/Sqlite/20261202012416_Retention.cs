using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Custos.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Retention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ConsentEvent",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CustomerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Channel = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    NoticeVersion = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    Purposes = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    RecordedById = table.Column<Guid>(type: "TEXT", nullable: false),
                    RecordedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ConsentEvent", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ConsentEvent_Customers_CustomerId",
                        column: x => x.CustomerId,
                        principalTable: "Customers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "CustomerLifecycle",
                columns: table => new
                {
                    CustomerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DepartmentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    LastContactAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ContractEndsAt = table.Column<long>(type: "INTEGER", nullable: true),
                    AgreedUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    LegalHold = table.Column<bool>(type: "INTEGER", nullable: false),
                    HoldReason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Basis = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    NoticeVersion = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    Consent = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    ConsentAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ConsentChannel = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    Purposes = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CustomerLifecycle", x => x.CustomerId);
                    table.ForeignKey(
                        name: "FK_CustomerLifecycle_Customers_CustomerId",
                        column: x => x.CustomerId,
                        principalTable: "Customers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RetentionBatch",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    DepartmentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    OperatorId = table.Column<Guid>(type: "TEXT", nullable: false),
                    OperatorName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DoneAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RetentionBatch", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RetentionFile",
                columns: table => new
                {
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 32768, nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    LoadedById = table.Column<Guid>(type: "TEXT", nullable: false),
                    LoadedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    LoadedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RetentionFile", x => x.Version);
                });

            migrationBuilder.CreateTable(
                name: "RetentionNotice",
                columns: table => new
                {
                    DepartmentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Due = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RetentionNotice", x => new { x.DepartmentId, x.Day, x.Kind });
                });

            migrationBuilder.CreateTable(
                name: "RetentionBatchItem",
                columns: table => new
                {
                    BatchId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CustomerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RetentionBatchItem", x => new { x.BatchId, x.CustomerId });
                    table.ForeignKey(
                        name: "FK_RetentionBatchItem_RetentionBatch_BatchId",
                        column: x => x.BatchId,
                        principalTable: "RetentionBatch",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ConsentEvent_CustomerId_At",
                table: "ConsentEvent",
                columns: new[] { "CustomerId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_CustomerLifecycle_DepartmentId_Kind",
                table: "CustomerLifecycle",
                columns: new[] { "DepartmentId", "Kind" });

            migrationBuilder.CreateIndex(
                name: "IX_RetentionBatch_DepartmentId",
                table: "RetentionBatch",
                column: "DepartmentId");

            migrationBuilder.CreateIndex(
                name: "IX_RetentionBatch_Number",
                table: "RetentionBatch",
                column: "Number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RetentionBatchItem_CustomerId",
                table: "RetentionBatchItem",
                column: "CustomerId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ConsentEvent");

            migrationBuilder.DropTable(
                name: "CustomerLifecycle");

            migrationBuilder.DropTable(
                name: "RetentionBatchItem");

            migrationBuilder.DropTable(
                name: "RetentionFile");

            migrationBuilder.DropTable(
                name: "RetentionNotice");

            migrationBuilder.DropTable(
                name: "RetentionBatch");
        }
    }
}
