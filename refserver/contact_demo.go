package refserver

import (
	"context"
	"errors"
	"fmt"

	"github.com/bankkit/bankkit/channel"
)

// seedContactDemo gives the demo bank a contact-centre agent (demo.agent,
// the demo password) with the general, cards and complaints skills, and
// tickets for the first three demo customers: an urgent card inquiry, a
// statement request assigned to the agent, and a fee complaint (which
// opens the customer's complaint). Seeding again adds nothing: a customer
// with tickets gets no more.
func (s *Server) seedContactDemo(ctx context.Context) error {
	agent, err := s.channel.IdentityByUsername(ctx, "demo.agent")
	if errors.Is(err, channel.ErrNotFound) {
		agent, err = s.channel.CreateStaff(ctx, channel.NewStaff{Username: "demo.agent", Password: DemoPassword,
			Roles: []channel.Role{channel.RoleAgent}})
	}
	if err != nil {
		return fmt.Errorf("demo agent: %w", err)
	}
	if _, err := s.contact.SetAgent(ctx, channel.Agent{ID: agent.ID.String(), Name: "Demo Agent",
		Skills: []string{"cards", "complaints", "general"}, Available: true}); err != nil {
		return fmt.Errorf("demo agent: %w", err)
	}
	demo := []struct {
		username string
		ticket   channel.NewTicket
		assign   bool
	}{
		{"wangfang", channel.NewTicket{Kind: channel.TicketInquiry, Subject: "Card declined abroad",
			Description: "Card declined at a shop in Singapore this morning.", Priority: channel.PriorityUrgent, Queue: "cards"}, false},
		{"liqiang", channel.NewTicket{Kind: channel.TicketRequest, Subject: "Paper statement for March",
			Description: "Needs a stamped statement for a visa application.", Priority: channel.PriorityNormal}, true},
		{"chenjing", channel.NewTicket{Kind: channel.TicketComplaint, Subject: "Annual fee charged twice",
			Description: "The card's annual fee was charged twice this month.", ComplaintCategory: "fees", Priority: channel.PriorityHigh}, false},
	}
	for _, d := range demo {
		who, err := s.channel.IdentityByUsername(ctx, d.username)
		if err != nil {
			return fmt.Errorf("demo customer %s: %w", d.username, err)
		}
		have, err := s.contact.Tickets(ctx, channel.TicketFilter{CustomerID: who.CustomerID, Limit: 1})
		if err != nil {
			return err
		}
		if len(have) > 0 {
			continue
		}
		n := d.ticket
		n.CustomerID, n.OpenedBy = who.CustomerID, agent.ID.String()
		t, err := s.contact.Open(ctx, n)
		if err != nil {
			return fmt.Errorf("demo ticket of %s: %w", d.username, err)
		}
		if d.assign {
			if _, err := s.contact.Assign(ctx, t.ID, agent.ID.String()); err != nil {
				return fmt.Errorf("demo ticket of %s: %w", d.username, err)
			}
		}
	}
	return nil
}
