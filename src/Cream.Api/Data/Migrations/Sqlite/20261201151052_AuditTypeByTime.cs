using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cream.Api.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AuditTypeByTime : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_auth_events_type",
                table: "auth_events");

            migrationBuilder.CreateIndex(
                name: "ix_auth_events_type",
                table: "auth_events",
                columns: new[] { "type", "occurred_at", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_auth_events_type",
                table: "auth_events");

            migrationBuilder.CreateIndex(
                name: "ix_auth_events_type",
                table: "auth_events",
                columns: new[] { "type", "id" });
        }
    }
}
