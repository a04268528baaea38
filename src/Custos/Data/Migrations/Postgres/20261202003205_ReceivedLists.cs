using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Custos.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ReceivedLists : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "DestroyRemindedAt",
                table: "Collections",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ImportedById",
                table: "Collections",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReceivedDestroyMethod",
                table: "Collections",
                type: "character varying(24)",
                maxLength: 24,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ReceivedDestroyOperatorId",
                table: "Collections",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReceivedDestroyOperatorName",
                table: "Collections",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ReceivedDestroyWitnessId",
                table: "Collections",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReceivedDestroyWitnessName",
                table: "Collections",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ReceivedDestroyedAt",
                table: "Collections",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ThirdParty",
                table: "Collections",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "VerifiedAt",
                table: "Collections",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "VerifiedById",
                table: "Collections",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "VerifiedByName",
                table: "Collections",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "VerifiedByOwner",
                table: "Collections",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateIndex(
                name: "IX_Collections_OwnerId",
                table: "Collections",
                column: "OwnerId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Collections_OwnerId",
                table: "Collections");

            migrationBuilder.DropColumn(
                name: "DestroyRemindedAt",
                table: "Collections");

            migrationBuilder.DropColumn(
                name: "ImportedById",
                table: "Collections");

            migrationBuilder.DropColumn(
                name: "ReceivedDestroyMethod",
                table: "Collections");

            migrationBuilder.DropColumn(
                name: "ReceivedDestroyOperatorId",
                table: "Collections");

            migrationBuilder.DropColumn(
                name: "ReceivedDestroyOperatorName",
                table: "Collections");

            migrationBuilder.DropColumn(
                name: "ReceivedDestroyWitnessId",
                table: "Collections");

            migrationBuilder.DropColumn(
                name: "ReceivedDestroyWitnessName",
                table: "Collections");

            migrationBuilder.DropColumn(
                name: "ReceivedDestroyedAt",
                table: "Collections");

            migrationBuilder.DropColumn(
                name: "ThirdParty",
                table: "Collections");

            migrationBuilder.DropColumn(
                name: "VerifiedAt",
                table: "Collections");

            migrationBuilder.DropColumn(
                name: "VerifiedById",
                table: "Collections");

            migrationBuilder.DropColumn(
                name: "VerifiedByName",
                table: "Collections");

            migrationBuilder.DropColumn(
                name: "VerifiedByOwner",
                table: "Collections");
        }
    }
}
