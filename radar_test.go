package radar_test

import (
	"reflect"
	"testing"

	"github.com/radarhq/radar"
)

func TestSnapshotProjectKeys(t *testing.T) {
	snap := radar.Snapshot{Issues: []radar.Issue{{Key: "WEB-1", Project: "WEB"}, {Key: "PAY-1", Project: "PAY"}, {Key: "PAY-2", Project: "PAY"}},
		Versions: []radar.Version{{Project: "OPS", Name: "1.0"}, {Name: "orphan"}}}
	if got, want := snap.ProjectKeys(), []string{"OPS", "PAY", "WEB"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
