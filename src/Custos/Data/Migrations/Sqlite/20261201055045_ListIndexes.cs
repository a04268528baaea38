using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Custos.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ListIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_CustomerTags_Tag",
                table: "CustomerTags");

            migrationBuilder.DropIndex(
                name: "IX_Customers_DepartmentId",
                table: "Customers");

            migrationBuilder.CreateIndex(
                name: "IX_CustomerTags_Tag_CustomerId",
                table: "CustomerTags",
                columns: new[] { "Tag", "CustomerId" });

            migrationBuilder.CreateIndex(
                name: "IX_Customers_DepartmentId_Grade_Id",
                table: "Customers",
                columns: new[] { "DepartmentId", "Grade", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Customers_DepartmentId_Id",
                table: "Customers",
                columns: new[] { "DepartmentId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Customers_Grade_Id",
                table: "Customers",
                columns: new[] { "Grade", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Customers_ProjectId_Id",
                table: "Customers",
                columns: new[] { "ProjectId", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_CustomerTags_Tag_CustomerId",
                table: "CustomerTags");

            migrationBuilder.DropIndex(
                name: "IX_Customers_DepartmentId_Grade_Id",
                table: "Customers");

            migrationBuilder.DropIndex(
                name: "IX_Customers_DepartmentId_Id",
                table: "Customers");

            migrationBuilder.DropIndex(
                name: "IX_Customers_Grade_Id",
                table: "Customers");

            migrationBuilder.DropIndex(
                name: "IX_Customers_ProjectId_Id",
                table: "Customers");

            migrationBuilder.CreateIndex(
                name: "IX_CustomerTags_Tag",
                table: "CustomerTags",
                column: "Tag");

            migrationBuilder.CreateIndex(
                name: "IX_Customers_DepartmentId",
                table: "Customers",
                column: "DepartmentId");
        }
    }
}
