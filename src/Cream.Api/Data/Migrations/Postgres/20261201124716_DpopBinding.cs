using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cream.Api.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DpopBinding : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "dpop_jkt",
                table: "sessions",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "dpop_jkt",
                table: "sessions");
        }
    }
}
