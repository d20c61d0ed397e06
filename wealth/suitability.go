package wealth

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/bankkit/bankkit/calendar"
)

// Questionnaire is a risk-assessment questionnaire: questions with scored
// answers, and the bands of total score that give the levels C1-C5. The
// bank ships its own as data (DefaultQuestionnaire); another market loads
// its own with ParseQuestionnaire.
type Questionnaire struct {
	ID             string         `json:"id"`
	Title          string         `json:"title"`
	ValidityMonths int            `json:"validity_months"`
	Levels         []LevelBand    `json:"levels"`
	Questions      []Question     `json:"questions"`
	index          map[string]int // question id -> position
}

// LevelBand: a total score of MinScore or more gives at least Level.
type LevelBand struct {
	Level    int    `json:"level"`
	Name     string `json:"name"`
	MinScore int    `json:"min_score"`
}

// Question is one question with its answers.
type Question struct {
	ID      string   `json:"id"`
	Text    string   `json:"text"`
	Answers []Answer `json:"answers"`
}

// Answer is one answer and its score.
type Answer struct {
	ID    string `json:"id"`
	Text  string `json:"text"`
	Score int    `json:"score"`
}

//go:embed questionnaires/default.json
var defaultQuestionnaire []byte

// DefaultQuestionnaire returns the reference bank's questionnaire.
func DefaultQuestionnaire() *Questionnaire {
	q, err := ParseQuestionnaire(defaultQuestionnaire)
	if err != nil {
		panic("wealth: the embedded questionnaire is invalid: " + err.Error()) // a build defect, caught by the tests
	}
	return q
}

// ParseQuestionnaire reads and checks a questionnaire in JSON.
func ParseQuestionnaire(b []byte) (*Questionnaire, error) {
	var q Questionnaire
	if err := json.Unmarshal(b, &q); err != nil {
		return nil, invalid("questionnaire", "%v", err)
	}
	if q.ID == "" || q.ValidityMonths < 1 || q.ValidityMonths > 60 {
		return nil, invalid("questionnaire", "needs an id and a validity of 1-60 months")
	}
	if len(q.Levels) != 5 {
		return nil, invalid("questionnaire.levels", "must define C1-C5")
	}
	for i, l := range q.Levels {
		if l.Level != i+1 || (i > 0 && l.MinScore <= q.Levels[i-1].MinScore) {
			return nil, invalid("questionnaire.levels", "must be C1-C5 with ascending scores")
		}
	}
	if len(q.Questions) == 0 {
		return nil, invalid("questionnaire.questions", "must not be empty")
	}
	q.index = map[string]int{}
	for i, qu := range q.Questions {
		if _, dup := q.index[qu.ID]; dup || qu.ID == "" || len(qu.Answers) < 2 {
			return nil, invalid("questionnaire.questions", "question %d needs a unique id and two answers or more", i)
		}
		q.index[qu.ID] = i
	}
	return &q, nil
}

// Score adds up the answers (question id -> answer id); every question
// must be answered once.
func (q *Questionnaire) Score(answers map[string]string) (score, level int, err error) {
	if len(answers) != len(q.Questions) {
		return 0, 0, invalid("answers", "answer each of the %d questions once", len(q.Questions))
	}
	for qid, aid := range answers {
		i, ok := q.index[qid]
		if !ok {
			return 0, 0, invalid("answers", "unknown question %q", qid)
		}
		j := slices.IndexFunc(q.Questions[i].Answers, func(a Answer) bool { return a.ID == aid })
		if j < 0 {
			return 0, 0, invalid("answers."+qid, "unknown answer %q", aid)
		}
		score += q.Questions[i].Answers[j].Score
	}
	for _, l := range q.Levels {
		if score >= l.MinScore {
			level = l.Level
		}
	}
	return score, level, nil
}

// Assessment is a customer's risk assessment: the level C1-C5 the answers
// gave, valid until Expires (exclusive). Professional marks a professional
// investor, whom the bank's desk certifies; only they see products for
// professional investors.
type Assessment struct {
	ID              ID                `json:"id"`
	CustomerID      ID                `json:"customer_id"`
	QuestionnaireID string            `json:"questionnaire_id"`
	Answers         map[string]string `json:"answers"`
	Score           int               `json:"score"`
	Level           int               `json:"level"`
	Professional    bool              `json:"professional"`
	AssessedOn      calendar.Date     `json:"assessed_on"`
	Expires         calendar.Date     `json:"expires"`
	CreatedAt       time.Time         `json:"created_at"`
}

// LevelName is "C1".."C5".
func (a Assessment) LevelName() string { return fmt.Sprintf("C%d", a.Level) }

// Current reports whether the assessment is still valid on d.
func (a Assessment) Current(d calendar.Date) bool { return a.Level > 0 && d.Before(a.Expires) }

// Refusal records a purchase refused for suitability, with its reason.
type Refusal struct {
	ID         ID        `json:"id"`
	CustomerID ID        `json:"customer_id"`
	ProductID  ID        `json:"product_id"`
	Reason     string    `json:"reason"`
	At         time.Time `json:"at"`
}
