using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Custos.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Hardening : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "CreatedById",
                table: "ApiTokens",
                newName: "PersonId");

            migrationBuilder.AddColumn<int>(
                name: "SecretsKekVersion",
                table: "KeyChecks",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "SecretsWrapped",
                table: "KeyChecks",
                type: "bytea",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "LastTotpStep",
                table: "AspNetUsers",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Change",
                table: "AccessRequests",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "UserSessions",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    PersonId = table.Column<Guid>(type: "uuid", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ClientAddress = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    EndedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    EndReason = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UserSessions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ApiTokens_PersonId",
                table: "ApiTokens",
                column: "PersonId");

            migrationBuilder.CreateIndex(
                name: "IX_AccessRequests_SubjectPersonId_Status",
                table: "AccessRequests",
                columns: new[] { "SubjectPersonId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_UserSessions_PersonId_EndedAt",
                table: "UserSessions",
                columns: new[] { "PersonId", "EndedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "UserSessions");

            migrationBuilder.DropIndex(
                name: "IX_ApiTokens_PersonId",
                table: "ApiTokens");

            migrationBuilder.DropIndex(
                name: "IX_AccessRequests_SubjectPersonId_Status",
                table: "AccessRequests");

            migrationBuilder.DropColumn(
                name: "SecretsKekVersion",
                table: "KeyChecks");

            migrationBuilder.DropColumn(
                name: "SecretsWrapped",
                table: "KeyChecks");

            migrationBuilder.DropColumn(
                name: "LastTotpStep",
                table: "AspNetUsers");

            migrationBuilder.DropColumn(
                name: "Change",
                table: "AccessRequests");

            migrationBuilder.RenameColumn(
                name: "PersonId",
                table: "ApiTokens",
                newName: "CreatedById");
        }
    }
}
