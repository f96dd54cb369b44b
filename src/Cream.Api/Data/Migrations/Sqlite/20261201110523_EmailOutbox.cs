using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cream.Api.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EmailOutbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "email_outbox",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    recipient = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    subject = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    text = table.Column<string>(type: "TEXT", nullable: false),
                    html = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    claimed_until = table.Column<DateTime>(type: "TEXT", nullable: true),
                    sent_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    failed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_email_outbox", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_email_outbox_created_at",
                table: "email_outbox",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_email_outbox_pending",
                table: "email_outbox",
                column: "next_attempt_at",
                filter: "sent_at IS NULL AND failed_at IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "email_outbox");
        }
    }
}
