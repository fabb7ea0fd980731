//! How an image is fitted into its frame: contained, covering or stretched, and
//! where in the frame an image that keeps its proportions sits.

/// How an image is fitted into its frame.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Fit {
    /// Whole image visible, proportions kept, placed in the frame as anchored.
    Contain(Anchor),
    /// Frame filled, proportions kept, the excess cropped on the side away from the anchor.
    Cover(Anchor),
    /// Frame filled, proportions changed.
    Stretch,
}

/// Where an image whose proportions are kept sits in its frame, across and down.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Anchor {
    /// Left, centre or right.
    pub x: Edge,
    /// Top, centre or bottom.
    pub y: Edge,
}

/// One side, the middle, or the other side.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum Edge {
    /// Left or top.
    Start,
    /// The middle.
    #[default]
    Centre,
    /// Right or bottom.
    End,
}

impl Edge {
    /// The share of the free space before the image.
    pub fn share(self) -> f32 {
        match self {
            Edge::Start => 0.0,
            Edge::Centre => 0.5,
            Edge::End => 1.0,
        }
    }
}

impl Anchor {
    /// Reads `center`, `top`, `bottom left`, `right`…: each word sets one direction.
    pub fn parse(text: &str) -> Result<Anchor, String> {
        let mut a = Anchor::default();
        for word in text.split_whitespace() {
            match word {
                "left" => a.x = Edge::Start,
                "right" => a.x = Edge::End,
                "top" => a.y = Edge::Start,
                "bottom" => a.y = Edge::End,
                "center" | "centre" => {}
                other => {
                    return Err(format!(
                        "`{other}`: use center, top, bottom, left, right or two of them (`top left`)"
                    ))
                }
            }
        }
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_read_one_word_per_direction() {
        assert_eq!(Anchor::parse("center").unwrap(), Anchor::default());
        let a = Anchor::parse("bottom left").unwrap();
        assert_eq!((a.x, a.y), (Edge::Start, Edge::End));
        let a = Anchor::parse("right").unwrap();
        assert_eq!((a.x, a.y), (Edge::End, Edge::Centre));
        assert!(Anchor::parse("middle").unwrap_err().contains("`middle`"));
    }
}
