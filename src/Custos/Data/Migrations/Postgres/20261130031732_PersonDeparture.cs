using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Custos.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PersonDeparture : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateOnly>(
                name: "DepartsOn",
                table: "AspNetUsers",
                type: "date",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "DepartsOn",
                table: "AspNetUsers");
        }
    }
}
