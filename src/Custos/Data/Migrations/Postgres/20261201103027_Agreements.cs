using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Custos.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Agreements : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateOnly>(
                name: "NdaValidUntil",
                table: "AspNetUsers",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "NdaVersion",
                table: "AspNetUsers",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AgreementSignature",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    PersonId = table.Column<Guid>(type: "uuid", nullable: false),
                    TemplateVersion = table.Column<int>(type: "integer", nullable: false),
                    Method = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    SignedOn = table.Column<DateOnly>(type: "date", nullable: false),
                    RecordedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Address = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    BodySha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Confirmation = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    CheckedById = table.Column<Guid>(type: "uuid", nullable: true),
                    CheckedByName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    ScanCipher = table.Column<byte[]>(type: "bytea", nullable: true),
                    ScanContentType = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    ScanSize = table.Column<long>(type: "bigint", nullable: true),
                    ScanSha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Note = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AgreementSignature", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AgreementSignature_AspNetUsers_PersonId",
                        column: x => x.PersonId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "AgreementTemplate",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Body = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: false),
                    BodySha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    PublishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    PublishedById = table.Column<Guid>(type: "uuid", nullable: true),
                    PublishedByName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    SignBy = table.Column<DateOnly>(type: "date", nullable: true),
                    Note = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AgreementTemplate", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AgreementSignature_PersonId_TemplateVersion",
                table: "AgreementSignature",
                columns: new[] { "PersonId", "TemplateVersion" });

            migrationBuilder.CreateIndex(
                name: "IX_AgreementTemplate_Version",
                table: "AgreementTemplate",
                column: "Version",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AgreementSignature");

            migrationBuilder.DropTable(
                name: "AgreementTemplate");

            migrationBuilder.DropColumn(
                name: "NdaValidUntil",
                table: "AspNetUsers");

            migrationBuilder.DropColumn(
                name: "NdaVersion",
                table: "AspNetUsers");
        }
    }
}
