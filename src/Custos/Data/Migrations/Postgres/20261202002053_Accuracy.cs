using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Custos.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Accuracy : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "AccurateAsOf",
                table: "Customers",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.AddColumn<bool>(
                name: "ViewOnly",
                table: "Customers",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            // Customers that were never reviewed count from their creation (SEC-4).
            migrationBuilder.Sql("UPDATE \"Customers\" SET \"AccurateAsOf\" = \"CreatedAt\";");

            migrationBuilder.CreateTable(
                name: "AccuracyReminder",
                columns: table => new
                {
                    DepartmentId = table.Column<Guid>(type: "uuid", nullable: false),
                    Period = table.Column<string>(type: "character varying(7)", maxLength: 7, nullable: false),
                    Count = table.Column<int>(type: "integer", nullable: false),
                    SentAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccuracyReminder", x => new { x.DepartmentId, x.Period });
                });

            migrationBuilder.CreateTable(
                name: "AccuracyReview",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CustomerId = table.Column<Guid>(type: "uuid", nullable: false),
                    ReviewedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ReviewerId = table.Column<Guid>(type: "uuid", nullable: false),
                    ReviewerName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Outcome = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccuracyReview", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AccuracyReview_Customers_CustomerId",
                        column: x => x.CustomerId,
                        principalTable: "Customers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Customers_AccurateAsOf_Id",
                table: "Customers",
                columns: new[] { "AccurateAsOf", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Customers_DepartmentId_AccurateAsOf_Id",
                table: "Customers",
                columns: new[] { "DepartmentId", "AccurateAsOf", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_AccuracyReview_CustomerId_ReviewedAt",
                table: "AccuracyReview",
                columns: new[] { "CustomerId", "ReviewedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AccuracyReminder");

            migrationBuilder.DropTable(
                name: "AccuracyReview");

            migrationBuilder.DropIndex(
                name: "IX_Customers_AccurateAsOf_Id",
                table: "Customers");

            migrationBuilder.DropIndex(
                name: "IX_Customers_DepartmentId_AccurateAsOf_Id",
                table: "Customers");

            migrationBuilder.DropColumn(
                name: "AccurateAsOf",
                table: "Customers");

            migrationBuilder.DropColumn(
                name: "ViewOnly",
                table: "Customers");
        }
    }
}
