using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cream.Api.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SigningKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "data_protection_keys",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    friendly_name = table.Column<string>(type: "TEXT", nullable: true),
                    xml = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_data_protection_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "signing_keys",
                columns: table => new
                {
                    kid = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    algorithm = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    protected_private_key = table.Column<string>(type: "TEXT", maxLength: 8192, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    activates_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    retires_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_signing_keys", x => x.kid);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "data_protection_keys");

            migrationBuilder.DropTable(
                name: "signing_keys");
        }
    }
}
